"""Reports and plots of an experiment: the console table, report.md, CSVs and figures."""
