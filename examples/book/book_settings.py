"""Settings shared by the chapter-1 programs: the book's constants and its repeated code.

The book copies these lines into each MNIST program; here they live once. Each program imports
what it needs, so `python examples/book/v3_dropout.py` runs the book's code with only the import
changed (`import fluxion as tf` / `from fluxion import keras` instead of TensorFlow's).
"""
import fluxion as tf
from fluxion import keras

# Network and training parameters.
EPOCHS = 200
BATCH_SIZE = 128
VERBOSE = 1
NB_CLASSES = 10   # number of outputs = number of digits
N_HIDDEN = 128
VALIDATION_SPLIT = 0.2  # how much TRAIN is reserved for VALIDATION
RESHAPED = 784
DROPOUT = 0.3


def load_data():
    """Loads MNIST as the book does: 784 float32 pixels in [0, 1] and one-hot labels.

    Returns:
        `((X_train, Y_train), (X_test, Y_test))`: 60,000 and 10,000 samples.

    Example:
    >>> (X_train, Y_train), (X_test, Y_test) = load_data()  # doctest: +SKIP
    """
    mnist = keras.datasets.mnist
    (X_train, Y_train), (X_test, Y_test) = mnist.load_data()
    # X_train is 60000 rows of 28x28 values; we reshape it to 60000 x 784.
    X_train = X_train.reshape(60000, RESHAPED)
    X_test = X_test.reshape(10000, RESHAPED)
    X_train = X_train.astype('float32')
    X_test = X_test.astype('float32')
    # Normalize inputs to be within in [0, 1].
    X_train, X_test = X_train / 255.0, X_test / 255.0
    print(X_train.shape[0], 'train samples')
    print(X_test.shape[0], 'test samples')
    # One-hot representation of the labels.
    Y_train = tf.keras.utils.to_categorical(Y_train, NB_CLASSES)
    Y_test = tf.keras.utils.to_categorical(Y_test, NB_CLASSES)
    return (X_train, Y_train), (X_test, Y_test)


def train_and_evaluate(model, epochs, batch_size=BATCH_SIZE, data=None):
    """Trains a compiled model as the book does and prints its test accuracy.

    Args:
        model: a compiled Keras model.
        epochs: passes over the 48,000 training images (12,000 are kept for validation).
        batch_size: images per gradient step.
        data: `load_data()`'s result; loaded when None.

    Returns:
        `(history, test_acc)`.

    Example:
    >>> history, test_acc = train_and_evaluate(build_model(), EPOCHS)  # doctest: +SKIP
    """
    (X_train, Y_train), (X_test, Y_test) = data or load_data()
    # Summary of the model.
    model.summary()
    # Training the model.
    history = model.fit(X_train, Y_train,
                        batch_size=batch_size, epochs=epochs,
                        verbose=VERBOSE, validation_split=VALIDATION_SPLIT)
    # Evaluating the model.
    test_loss, test_acc = model.evaluate(X_test, Y_test)
    print('Test accuracy:', test_acc)
    return history, test_acc


def sweep(build_model, param, values, epochs):
    """Trains one model per value of a hyperparameter and prints the test accuracies.

    Args:
        build_model: returns a compiled model; called with `param=value`, except for
            `param='batch_size'`, which goes to `fit`.
        param: the hyperparameter's name (`'dropout'`, `'learning_rate'`, `'n_hidden'`,
            `'batch_size'`).
        values: the values to try.
        epochs: epochs per training.

    Returns:
        A dict from each value to its test accuracy.

    Example:
    >>> sweep(build_model, 'dropout', [0.1, 0.3], EPOCHS)  # doctest: +SKIP
    """
    data = load_data()
    results = {}
    for value in values:
        if param == 'batch_size':
            model, batch_size = build_model(), value
        else:
            model, batch_size = build_model(**{param: value}), BATCH_SIZE
        _, results[value] = train_and_evaluate(model, epochs, batch_size=batch_size, data=data)
    for value, test_acc in results.items():
        print(f'{param}={value}: test accuracy {test_acc:.4f}')
    return results
