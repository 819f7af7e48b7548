"""Reports and plots of an experiment, and the parameter table."""
