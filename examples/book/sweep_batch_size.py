"""Figure 30: Test accuracy of V5 for different batch sizes.

Run from the project root: `python examples/book/sweep_batch_size.py`.
"""
from book_settings import sweep
from v5_adam import EPOCHS, build_model

PARAM = 'batch_size'
VALUES = [64, 128, 256, 512]

if __name__ == '__main__':
    sweep(build_model, PARAM, VALUES, EPOCHS)
