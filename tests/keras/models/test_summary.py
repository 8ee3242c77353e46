"""`model.summary()` prints exactly what Keras 3 prints (texts captured from Keras 3.15)."""
import pytest

from fluxion.keras import layers, models

MNIST_SUMMARY = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense_layer (Dense)             │ (None, 128)            │       100,480 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout (Dropout)               │ (None, 128)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_layer_2 (Dense)           │ (None, 128)            │        16,512 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout_1 (Dropout)             │ (None, 128)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_layer_3 (Dense)           │ (None, 10)             │         1,290 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 118,282 (462.04 KB)
 Trainable params: 118,282 (462.04 KB)
 Non-trainable params: 0 (0.00 B)
"""


def book_mnist_model():
    """The book's MNIST network V3: 784-128-128-10 with dropout, as written in the book."""
    model = models.Sequential()
    model.add(layers.Dense(128, input_shape=(784,), name="dense_layer", activation="relu"))
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(128, name="dense_layer_2", activation="relu"))
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(10, name="dense_layer_3", activation="softmax"))
    return model


def captured(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    assert len(lines) == 1  # Keras 3 passes the whole text in one call
    return lines[0]


def test_book_mnist_summary_is_keras_text(capsys):
    model = book_mnist_model()
    assert captured(model) == MNIST_SUMMARY
    model.summary()
    assert capsys.readouterr().out == MNIST_SUMMARY


def test_book_single_layer_model_line_length_60():
    model = models.Sequential()
    model.add(layers.Dense(10, input_shape=(784,), kernel_initializer="zeros",
                           name="dense_layer", activation="softmax"))
    assert captured(model, line_length=60) == """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓
┃ Layer (type)             ┃ Output Shape      ┃   Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━┩
│ dense_layer (Dense)      │ (None, 10)        │     7,850 │
└──────────────────────────┴───────────────────┴───────────┘
 Total params: 7,850 (30.66 KB)
 Trainable params: 7,850 (30.66 KB)
 Non-trainable params: 0 (0.00 B)
"""


def imdb_model(input_length=None):
    extra = {} if input_length is None else {"input_length": input_length}
    return models.Sequential([layers.Embedding(10000, 256, **extra),
                              layers.GlobalMaxPooling1D(),
                              layers.Dense(128, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])


def test_book_imdb_model_unbuilt_then_built():
    model = imdb_model()
    assert captured(model) == """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ embedding (Embedding)           │ ?                      │   0 (unbuilt) │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ global_max_pooling1d            │ ?                      │             0 │
│ (GlobalMaxPooling1D)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ ?                      │   0 (unbuilt) │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ ?                      │   0 (unbuilt) │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)
"""
    model.build((None, 200))
    assert captured(model) == """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ embedding (Embedding)           │ (None, 200, 256)       │     2,560,000 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ global_max_pooling1d            │ (None, 256)            │             0 │
│ (GlobalMaxPooling1D)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 128)            │        32,896 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 1)              │           129 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 2,593,025 (9.89 MB)
 Trainable params: 2,593,025 (9.89 MB)
 Non-trainable params: 0 (0.00 B)
"""


def test_book_imdb_model_with_input_length_is_built_at_once():
    assert imdb_model(input_length=200).count_params() == 2_593_025


def test_functional_summary_has_connected_to_column():
    a, b = layers.Input((4,), name="a"), layers.Input((4,), name="b")
    shared = layers.Dense(3)
    merged = layers.concatenate([shared(a), shared(b)])
    model = models.Model([a, b], layers.BatchNormalization()(merged), name="functional_5")
    assert captured(model) == """\
Model: "functional_5"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)      │ (None, 4)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ b (InputLayer)      │ (None, 4)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 3)         │         15 │ a[0][0], b[0][0]  │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 6)         │          0 │ dense[0][0],      │
│ (Concatenate)       │                   │            │ dense[1][0]       │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ batch_normalization │ (None, 6)         │         24 │ concatenate[0][0] │
│ (BatchNormalizatio… │                   │            │                   │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 39 (156.00 B)
 Trainable params: 27 (108.00 B)
 Non-trainable params: 12 (48.00 B)
"""


def nested_model():
    inner = models.Sequential([layers.Input((8,)), layers.Dense(4, name="inner_dense")],
                              name="encoder")
    x = layers.Input((8,), name="x")
    model = models.Model(x, layers.Dense(1, name="head")(inner(x)), name="outer")
    inner.trainable = False
    return model


def test_nested_model_with_trainable_column():
    assert captured(nested_model(), show_trainable=True) == """\
Model: "outer"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ x (InputLayer)              │ (None, 8)             │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ encoder (Sequential)        │ (None, 4)             │         36 │   N   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ head (Dense)                │ (None, 1)             │          5 │   Y   │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 41 (164.00 B)
 Trainable params: 5 (20.00 B)
 Non-trainable params: 36 (144.00 B)
"""


def test_nested_model_expanded():
    assert captured(nested_model(), expand_nested=True) == """\
Model: "outer"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ x (InputLayer)                  │ (None, 8)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ encoder (Sequential)            │ (None, 4)              │            36 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│    └ inner_dense (Dense)        │ (None, 4)              │            36 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ head (Dense)                    │ (None, 1)              │             5 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 41 (164.00 B)
 Trainable params: 5 (20.00 B)
 Non-trainable params: 36 (144.00 B)
"""


class OneDense(models.Model):
    def __init__(self):
        super().__init__()
        self.d = layers.Dense(3)

    def call(self, x):
        return self.d(x)


def test_subclassed_model_summary_after_it_is_called():
    import numpy as np
    model = OneDense()
    model(np.zeros((2, 4), "float32"))
    assert captured(model) == """\
Model: "one_dense"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (2, 3)                 │            15 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 15 (60.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)
"""


def test_subclassed_model_summary_after_build():
    model = OneDense()
    model.build((None, 4))
    assert "(None, 3)" in captured(model) and "Total params: 15 (60.00 B)" in captured(model)


def test_empty_model_and_bad_line_length():
    assert captured(models.Sequential(name="empty")) == """\
Model: "empty"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)
"""
    with pytest.raises(ValueError, match="Insufficient console width"):
        book_mnist_model().summary(line_length=8)


def test_layer_range():
    text = captured(book_mnist_model(), layer_range=["dropout", "dense_layer_2"])
    assert "dense_layer (Dense)" not in text and "dense_layer_2 (Dense)" in text
    assert "dropout_1" not in text
