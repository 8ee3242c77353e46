"""Training: compile/fit/evaluate/predict, data adapters and the progress bar."""
