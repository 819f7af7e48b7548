"""What customers weigh when they choose a firm, and the segments they fall into.

Seed 002 sorts customers by what they want most: high-end customers want
service and respect, mid-range customers brand and quality, low-end customers
price. Every customer weighs the same four attributes of a firm (a
random-utility choice over price, quality, service and belonging); the
segments set the centre of those weights.
"""

from __future__ import annotations

#: the customer segments, low to high end
SEGMENTS = ("price", "value", "service")
#: the attributes of a firm a customer weighs, in the order of the weight vectors
ATTRIBUTES = ("price", "quality", "service", "belonging")
