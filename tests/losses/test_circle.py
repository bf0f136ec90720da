"""Circle loss on a hand-computed case, and its gradient by finite differences."""

import numpy as np

from minikeras import losses
from minikeras import ops
from minikeras.autodiff import GradientTape
from minikeras.autodiff import Variable


def test_two_orthogonal_pairs_by_hand():
    # Samples 0 and 1 share a class, 2 is alone; embeddings are the unit axes,
    # so every cosine distance between different samples is 1.
    embeddings = np.eye(3, dtype="float64")
    labels = np.array([0, 0, 1])
    gamma, margin = 2.0, 0.25
    values = losses.circle(labels, embeddings, gamma=gamma, margin=margin).numpy()
    positive = -gamma * (margin + 1.0) * (margin - 1.0)             # the one positive pair
    negative = gamma * (1.0 + margin - 1.0) * ((1.0 - margin) - 1.0)  # the one negative pair
    expected = np.log1p(np.exp(positive + negative))
    np.testing.assert_allclose(values[:2], [expected, expected])
    assert values[2] == 0.0  # no positive pair: left out of the mean
    mean = losses.Circle(gamma=gamma, margin=margin, dtype="float64")(labels, embeddings)
    np.testing.assert_allclose(float(mean), expected)


def test_gradient_matches_central_differences():
    rng = np.random.default_rng(0)
    start = rng.standard_normal((4, 3))
    labels = np.array([0, 1, 0, 1])
    loss_of = losses.Circle(gamma=4.0, dtype="float64")
    embeddings = Variable(start, dtype="float64")
    with GradientTape() as tape:
        loss = loss_of(labels, ops.convert_to_tensor(embeddings))
    gradient = tape.gradient(loss, embeddings).numpy()
    numeric = np.zeros_like(start)
    step = 1e-6
    for index in np.ndindex(start.shape):
        up, down = start.copy(), start.copy()
        up[index] += step
        down[index] -= step
        numeric[index] = (float(loss_of(labels, up)) - float(loss_of(labels, down))) / (2 * step)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-7)
