"""NumPy kernels that are more than one NumPy call. No fluxion imports here."""
