"""Sentiment analysis on IMDb with Embedding, GlobalMaxPooling1D and Dense: the book's Colab.

Run from the project root: `python examples/book/imdb_sentiment.py`. The book reaches about 85% test
accuracy. As in the book, the test set doubles as validation data.
"""
from fluxion.keras import datasets, layers, models, preprocessing

max_len = 200
n_words = 10000
dim_embedding = 256
EPOCHS = 20
BATCH_SIZE = 500


def load_data():
    """The 25,000 train and 25,000 test reviews as word indices, padded to `max_len`."""
    # Load data.
    (X_train, y_train), (X_test, y_test) = datasets.imdb.load_data(num_words=n_words)
    # Pad sequences with max_len.
    X_train = preprocessing.sequence.pad_sequences(X_train, maxlen=max_len)
    X_test = preprocessing.sequence.pad_sequences(X_test, maxlen=max_len)
    return (X_train, y_train), (X_test, y_test)


def build_model():
    """Embedding, Dropout, GlobalMaxPooling1D, Dense(128), Dropout, Dense(1, sigmoid); Adam."""
    model = models.Sequential()
    # Input: - Embedding Layer.
    # The model will take as input an integer matrix of size (batch, input_length).
    # The model will output dimension (input_length, dim_embedding).
    # The largest integer in the input should be no larger
    # than n_words (vocabulary size).
    model.add(layers.Embedding(n_words,
                               dim_embedding, input_length=max_len))
    model.add(layers.Dropout(0.3))
    # Takes the maximum value of either feature vector from each of the n_words features.
    model.add(layers.GlobalMaxPooling1D())
    model.add(layers.Dense(128, activation='relu'))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(1, activation='sigmoid'))
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


if __name__ == '__main__':
    (X_train, y_train), (X_test, y_test) = load_data()
    model = build_model()
    model.summary()
    score = model.fit(X_train, y_train,
                      epochs=EPOCHS,
                      batch_size=BATCH_SIZE,
                      validation_data=(X_test, y_test))
    score = model.evaluate(X_test, y_test, batch_size=BATCH_SIZE)
    print("\nTest score:", score[0])
    print('Test accuracy:', score[1])
