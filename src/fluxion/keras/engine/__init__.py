"""The Keras engine: Layer, symbolic KerasTensors and nodes, the functional graph, Model."""
