"""`fluxion.keras.datasets`: the Keras datasets, from local copies or the canonical downloads."""
from . import boston_housing, cifar10, cifar100, fashion_mnist, imdb, mnist, reuters
