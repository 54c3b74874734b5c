"""Imports: a CSV or XLSX file of observations, mapped, checked line by line and stored by a job."""
