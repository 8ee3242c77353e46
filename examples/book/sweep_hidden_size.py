"""Figure 27-29: Parameters, seconds and test accuracy of V5 for more hidden neurons.

Run from the project root: `python examples/book/sweep_hidden_size.py`.
"""
from book_settings import sweep
from v5_adam import EPOCHS, build_model

PARAM = 'n_hidden'
VALUES = [32, 64, 128, 256, 512]

if __name__ == '__main__':
    sweep(build_model, PARAM, VALUES, EPOCHS)
