"""The softmax-gradient chapter's figures, computed by `nnscratch.softmax` and `nnscratch.loss`."""

import numpy as np

from nnscratch.loss import cross_entropy, softmax_cross_entropy_backward
from nnscratch.onehot import one_hot
from nnscratch.plots import plot_class_bars, plot_cross_entropy_curve, plot_softmax_two_scores
from nnscratch.softmax import softmax, softmax_jacobian

# The scores of one example of ten classes, true class 3: the model hesitates between 3 and 8.
SCORES = np.array([[0.5], [-1.0], [0.2], [2.0], [-0.5], [0.8], [-1.2], [0.1], [1.6], [-0.3]])
TRUE_CLASS = 3


def two_scores():
    d = np.linspace(-6.0, 6.0, 241)                      # z_0 - z_1, with z_1 = 0
    A = softmax(np.vstack([d, np.zeros_like(d)]))        # (2, n)
    slope = np.array([softmax_jacobian(A[:, i])[0, 0] for i in range(d.size)])
    return plot_softmax_two_scores(d, A, slope=slope)


def loss_of_one_example():
    p = np.linspace(0.01, 1.0, 199)                      # a_y, the true class's probability
    Y = one_hot(np.array([0]), n_classes=2)              # (2, 1): class 0 is the true one

    def loss(a_y: float) -> float:
        return cross_entropy(np.array([[a_y], [1.0 - a_y]]), Y)

    # The loss depends on a_y alone: ten equal scores give a_y = 1/10 and the loss log 10.
    guess = softmax(np.zeros((10, 1)))                   # (10, 1), every entry 1/10
    guess_loss = cross_entropy(guess, one_hot(np.array([0]), n_classes=10))
    marks = {
        r"uniform guess of ten classes: $a_y = 1/10$, $\ell = \log 10$": (guess[0, 0], guess_loss),
        "certain and right, $a_y = 1$": (1.0, loss(1.0)),
    }
    return plot_cross_entropy_curve(p, np.array([loss(a) for a in p]), marks=marks)


def prediction_minus_target():
    Y = one_hot(np.array([TRUE_CLASS]), n_classes=10)    # (10, 1)
    A = softmax(SCORES)                                  # (10, 1)
    dz = softmax_cross_entropy_backward(A, Y)            # (A - Y) / m with m = 1
    return plot_class_bars({"$A = \\mathrm{softmax}(z)$": A, f"$Y$ (true class {TRUE_CLASS})": Y,
                            "$dz = A - Y$": dz}, true_class=TRUE_CLASS)


FIGURES = {
    "softmax-two-scores": two_scores,
    "softmax-cross-entropy-curve": loss_of_one_example,
    "softmax-prediction-minus-target": prediction_minus_target,
}
