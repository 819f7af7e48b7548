"""The command line: the Hydra entry of every app, the market's app, one-line errors."""
