"""Testbeds with closed forms (linear regression, Gaussian mean) and small nets."""
