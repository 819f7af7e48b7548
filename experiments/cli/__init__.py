"""The command-line layer: the market's command and one-line error messages
translated from Hydra's and argparse's.
"""
