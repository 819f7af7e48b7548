"""``python -m strategies``: every strategy with its description, parameters and defaults."""

from strategies.registry import catalogue

if __name__ == "__main__":
    print(catalogue())
