"""Figure 26: Test accuracy of V5 for different Adam learning rates.

Run from the project root: `python examples/book/sweep_learning_rate.py`.
"""
from book_settings import sweep
from v5_adam import EPOCHS, build_model

PARAM = 'learning_rate'
VALUES = [0.1, 0.01, 0.001]

if __name__ == '__main__':
    sweep(build_model, PARAM, VALUES, EPOCHS)
