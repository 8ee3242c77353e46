"""Fused optimizer updates (as TensorFlow's `ResourceApply*` kernels) in NumPy.

A rule updates one contiguous 1-D slice of a variable and of its slots in place:
`rule(p, g, *, <slots>, <scalars>, <hyper-parameters>)`: array slices, scalars of the
variable's dtype, and Python numbers. `update` runs a rule over every element of many variables
at once, in pieces spread over the cores (`kernels.parallel`). Every element gets the same
arithmetic whatever the pieces, so results do not depend on the number of threads.

The rules are Keras 3's update rules; `keras.optimizers` uses them for every built-in optimizer.
Where numba is installed, `update` runs the compiled rule of the same name instead
(`kernels.compiled`): one pass instead of a dozen, the same bits.
"""
import numpy as np

from . import compiled, parallel

# Elements updated at a time: each array's slice (0.5 MB of float32) stays in a core's cache
# through the update's passes. Measured on 2 cores: a second thread pays off from about
# 2**18 elements per thread (1.7x at 2.6M elements); below that, handing work over costs more
# than it saves (and competes with BLAS's threads right after a matmul).
UNIT = 1 << 17
MIN_PER_THREAD = 1 << 18


def update(rule, params, grads, slots, scalars, hyper):
    """Applies `RULES[rule]` to every variable, in place.

    Args:
        rule: a name in `RULES`.
        params, grads: lists of arrays of one float dtype (the variables and their gradients).
        slots: dict slot name -> list of arrays, one per variable (the optimizer's state).
        scalars: dict name -> scalar (values that change from step to step, e.g. the learning
            rate), made scalars of the variables' dtype.
        hyper: dict name -> Python float or bool (the optimizer's constants).

    Example:
    >>> p, g = np.ones(3, np.float32), np.full(3, 2.0, np.float32)
    >>> update("sgd", [p], [g], {}, {"lr": 0.5}, {})
    >>> p
    array([0., 0., 0.], dtype=float32)
    """
    dtype = params[0].dtype.type
    # Hyper-parameters stay Python numbers: NumPy applies them in the arrays' dtype, and
    # `1 - beta` keeps its double precision (in float32, 1 - 0.999 is off by 5e-5).
    constants = {**{k: dtype(v) for k, v in scalars.items()}, **hyper}
    step = compiled.kernel(rule, dtype) or RULES[rule]
    units = [(k, i, min(i + UNIT, p.size)) for k, p in enumerate(params)
             for i in range(0, p.size, UNIT)]

    def run(first, last):
        for k, i, j in units[first:last]:
            step(params[k].reshape(-1)[i:j], grads[k].reshape(-1)[i:j],
                 **{name: arrays[k].reshape(-1)[i:j] for name, arrays in slots.items()},
                 **constants)
    total = sum(p.size for p in params)
    if total < 2 * MIN_PER_THREAD or parallel.num_threads() == 1:
        run(0, len(units))  # one piece: no split, no hand-over (most models' updates)
        return
    runs = parallel.balanced([stop - start for _, start, stop in units],
                             min_piece=MIN_PER_THREAD)
    parallel.run([lambda first=first, last=last: run(first, last) for first, last in runs])


# --- the rules: Keras 3's, on slices of one variable ------------------------------------------
def _moving_average(average, value, decay, scratch):
    """`average = decay * average + (1 - decay) * value`, as `average += (value - average) *
    (1 - decay)`; `scratch` (which may be `value`) is overwritten."""
    np.subtract(value, average, out=scratch)
    scratch *= 1 - decay
    average += scratch


def sgd(p, g, lr, momentum=None, momentum_rate=0.0, nesterov=False):
    """`p -= lr * g`; with a momentum slot `m`: `m = momentum_rate * m - lr * g`, then `p += m`
    (Nesterov: `p += momentum_rate * m - lr * g`)."""
    step = np.multiply(g, lr)
    if momentum is None:
        p -= step
        return
    momentum *= momentum_rate
    momentum -= step
    if nesterov:
        ahead = np.multiply(momentum, momentum_rate)
        ahead -= step
        p += ahead
    else:
        p += momentum


def rmsprop(p, g, lr, velocity, rho, epsilon, momentum=None, momentum_rate=0.0,
            average_gradient=None):
    """`v = rho * v + (1 - rho) * g**2`; `p -= lr * g / sqrt(v + epsilon)` (centered, with an
    `average_gradient` slot `a` of the same decay: `v - a**2` replaces `v`); with a momentum
    slot `m`, the steps accumulate: `m = momentum_rate * m + step; p -= m`."""
    t = np.square(g)
    _moving_average(velocity, t, rho, t)
    if average_gradient is None:
        np.add(velocity, epsilon, out=t)
    else:
        _moving_average(average_gradient, g, rho, t)
        np.square(average_gradient, out=t)
        np.subtract(velocity, t, out=t)
        t += epsilon
    np.sqrt(t, out=t)
    np.divide(g, t, out=t)
    t *= lr
    if momentum is None:
        p -= t
    else:
        momentum *= momentum_rate
        momentum += t
        p -= momentum


def adagrad(p, g, lr, accumulator, epsilon):
    """`acc += g**2`; `p -= lr * g / sqrt(acc + epsilon)`."""
    t = np.square(g)
    accumulator += t
    np.add(accumulator, epsilon, out=t)
    np.sqrt(t, out=t)
    np.divide(g, t, out=t)
    t *= lr
    p -= t


def adadelta(p, g, lr, accumulated_grad, accumulated_delta_var, rho, epsilon):
    """`E[g2] = rho E[g2] + (1 - rho) g**2`; `d = sqrt(E[dx2] + eps) / sqrt(E[g2] + eps) * g`;
    `E[dx2] = rho E[dx2] + (1 - rho) d**2`; `p -= lr * d`."""
    t = np.square(g)
    _moving_average(accumulated_grad, t, rho, t)
    delta = np.add(accumulated_delta_var, epsilon)
    np.sqrt(delta, out=delta)
    delta *= g
    np.add(accumulated_grad, epsilon, out=t)
    np.sqrt(t, out=t)
    delta /= t
    np.square(delta, out=t)
    _moving_average(accumulated_delta_var, t, rho, t)
    delta *= lr
    p -= delta


def adam(p, g, alpha, momentum, velocity, beta_1, beta_2, epsilon, velocity_hat=None):
    """`m += (g - m) * (1 - beta_1)`, `v += (g**2 - v) * (1 - beta_2)`,
    `p -= alpha * m / (sqrt(v) + epsilon)`, `alpha` the bias-corrected learning rate; AMSGrad
    (a `velocity_hat` slot): `v_hat = max(v_hat, v)` replaces `v` in the step."""
    t = np.empty_like(g)
    _moving_average(momentum, g, beta_1, t)
    np.square(g, out=t)
    _moving_average(velocity, t, beta_2, t)
    if velocity_hat is not None:
        np.maximum(velocity_hat, velocity, out=velocity_hat)
    np.sqrt(velocity if velocity_hat is None else velocity_hat, out=t)
    t += epsilon
    step = np.multiply(momentum, alpha)
    step /= t
    p -= step


def adamax(p, g, alpha, momentum, norm, beta_1, beta_2, epsilon):
    """`m += (g - m) * (1 - beta_1)`, `u = max(beta_2 * u, |g|)`,
    `p -= alpha * m / (u + epsilon)`, `alpha = lr / (1 - beta_1**t)`."""
    t = np.empty_like(g)
    _moving_average(momentum, g, beta_1, t)
    norm *= beta_2
    np.abs(g, out=t)
    np.maximum(norm, t, out=norm)
    np.add(norm, epsilon, out=t)
    np.divide(momentum, t, out=t)
    t *= alpha
    p -= t


def nadam(p, g, lr, momentum, velocity, momentum_scale, gradient_scale, velocity_scale,
          beta_1, beta_2, epsilon):
    """Adam's moments, then `p -= lr * m_hat / (sqrt(v_hat) + epsilon)` with
    `m_hat = momentum_scale * m + gradient_scale * g` and `v_hat = velocity_scale * v` (the
    optimizer computes the scales from its momentum schedule)."""
    t = np.empty_like(g)
    _moving_average(momentum, g, beta_1, t)
    np.square(g, out=t)
    _moving_average(velocity, t, beta_2, t)
    np.multiply(velocity, velocity_scale, out=t)
    np.sqrt(t, out=t)
    t += epsilon
    step = np.multiply(momentum, momentum_scale)
    step += np.multiply(g, gradient_scale)
    step *= lr
    step /= t
    p -= step


RULES = {rule.__name__: rule for rule in (sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam)}
