"""Analysis over parameter points: calibration to observed data, global
sensitivity, optimisation, and the standard customer-base models.
"""
