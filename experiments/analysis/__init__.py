"""Analysis over parameter points: calibration, sensitivity, optimisation."""
