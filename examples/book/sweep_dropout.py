"""Figure 24: Test accuracy of V5 (Adam) for different dropout rates.

Run from the project root: `python examples/book/sweep_dropout.py`.
"""
from book_settings import sweep
from v5_adam import EPOCHS, build_model

PARAM = 'dropout'
VALUES = [0.1, 0.2, 0.3, 0.4, 0.5]

if __name__ == '__main__':
    sweep(build_model, PARAM, VALUES, EPOCHS)
