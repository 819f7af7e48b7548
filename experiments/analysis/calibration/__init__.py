"""Calibration of the simulator to observed customer data.

Researchers trust a simulator that can be fitted to their own customers and
forecasts them at least as well as the statistical models they already use.
This package fits the market's base behaviour (purchase rates and their
spread, lapse and churn propensities, spend) to one of two kinds of data:

* a **transaction log** (customer, date, amount) of a cohort of new
  customers of one firm, such as the CDNOW sample (:mod:`.observed`);
* a **cohort survival table** (customers still active in each period out of
  those who started), as published for subscription businesses.

It fits on a calibration period only (Optuna, :mod:`.fit`), forecasts the
holdout period with the fitted market (:mod:`.forecast`), fits the standard
models on the same split (BG/NBD, shifted-beta-geometric;
:mod:`experiments.analysis.standard_models`) and writes the calibrated market and a
report (:mod:`.report`). The command is ``loyalty-sim-calibrate``
(:mod:`.cli`).
"""
