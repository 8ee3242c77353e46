"""V1: one Dense softmax layer trained with SGD, the book's baseline.

Run from the project root: `python examples/book/v1_single_layer.py`. The book reaches 89.96% on
training, 90.70% on validation and 90.71% on test after 200 epochs.
"""
from book_settings import NB_CLASSES, RESHAPED, train_and_evaluate

import fluxion as tf
from fluxion import keras

EPOCHS = 200


def build_model():
    """The single-layer net: 784 inputs to 10 softmax outputs, zero weights, SGD."""
    # Build the model.
    model = tf.keras.models.Sequential()
    model.add(keras.layers.Dense(NB_CLASSES,
                                 input_shape=(RESHAPED,), kernel_initializer='zeros',
                                 name='dense_layer', activation='softmax'))
    # Compiling the model.
    model.compile(optimizer='SGD',
                  loss='categorical_crossentropy',
                  metrics=['accuracy'])
    return model


if __name__ == '__main__':
    train_and_evaluate(build_model(), EPOCHS)
