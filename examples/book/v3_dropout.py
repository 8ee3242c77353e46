"""V3: the two-hidden-layer net with Dropout after each hidden layer, trained with SGD.

Run from the project root: `python examples/book/v3_dropout.py`. The book reaches 91.70% on
training, 94.42% on validation and 94.15% on test after 200 epochs.
"""
from book_settings import DROPOUT, N_HIDDEN, NB_CLASSES, RESHAPED, train_and_evaluate

import fluxion as tf
from fluxion import keras

EPOCHS = 200


def build_model(optimizer='SGD', n_hidden=N_HIDDEN, dropout=DROPOUT):
    """784 inputs, two hidden ReLU layers each followed by Dropout, 10 softmax outputs.

    Args:
        optimizer: what `compile` gets: `'SGD'` here; V4 passes `'RMSProp'`, V5 an `Adam`.
        n_hidden: units of each hidden layer.
        dropout: the fraction of hidden activations dropped during training.
    """
    # Building the model.
    model = tf.keras.models.Sequential()
    model.add(keras.layers.Dense(n_hidden,
                                 input_shape=(RESHAPED,),
                                 name='dense_layer', activation='relu'))
    model.add(keras.layers.Dropout(dropout))
    model.add(keras.layers.Dense(n_hidden,
                                 name='dense_layer_2', activation='relu'))
    model.add(keras.layers.Dropout(dropout))
    model.add(keras.layers.Dense(NB_CLASSES,
                                 name='dense_layer_3', activation='softmax'))
    # Compiling the model.
    model.compile(optimizer=optimizer,
                  loss='categorical_crossentropy',
                  metrics=['accuracy'])
    return model


if __name__ == '__main__':
    train_and_evaluate(build_model(), EPOCHS)
