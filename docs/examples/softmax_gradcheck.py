# %% [markdown]
# # Checking the softmax gradient
#
# The chapter [Cross-entropy and the softmax gradient](../softmax-gradient.md) derives
#
# $$dZ = \frac{\partial \mathcal{L}}{\partial Z} = \frac{1}{m}\left(A - Y\right),
#   \qquad A = \operatorname{softmax}(Z), \quad Z, A, Y \in \mathbb{R}^{K \times m},$$
#
# for the mean cross-entropy $\mathcal{L}$. Here that formula is compared with centred finite
# differences of the loss itself,
#
# $$\frac{\partial \mathcal{L}}{\partial Z_{ki}} \approx
#   \frac{\mathcal{L}(Z + \varepsilon E_{ki}) - \mathcal{L}(Z - \varepsilon E_{ki})}
#        {2\varepsilon},$$
#
# on the same random batch as the chapter ($K = 10$ classes, $m = 5$ columns, seed 0), and
# the relative error is printed: first for the step $\varepsilon = 10^{-6}$ that
# `nnscratch.gradcheck` uses, then for a whole range of steps.

# %%
import numpy as np

from nnscratch.gradcheck import numerical_gradient, relative_error
from nnscratch.loss import cross_entropy, softmax_cross_entropy_backward
from nnscratch.onehot import one_hot
from nnscratch.plots import plot_gradcheck_errors, show
from nnscratch.softmax import softmax

rng = np.random.default_rng(0)
m = 5
Z = 3.0 * rng.standard_normal((10, m))       # (K, m) scores, float64
Y = one_hot(rng.integers(0, 10, size=m))     # (K, m) one-hot targets

numerical = numerical_gradient(lambda: cross_entropy(softmax(Z), Y), Z)
analytic = softmax_cross_entropy_backward(softmax(Z), Y)
print("Z, Y, dZ:", Z.shape, Y.shape, analytic.shape)
print(f"relative error of (A - Y) / m at eps = 1e-6: {relative_error(analytic, numerical):.2e}")
print(f"relative error of  A - Y      at eps = 1e-6: "
      f"{relative_error(softmax(Z) - Y, numerical):.4f}   (m-1)/(m+1) = {(m - 1) / (m + 1):.4f}")

# %% [markdown]
# ## How the error depends on the step
#
# A centred difference has two sources of error. The **truncation** error of the formula
# shrinks like $\varepsilon^2$; the **rounding** error of computing $\mathcal{L}$ in floating
# point, about the machine epsilon $u$ times $|\mathcal{L}|$, is divided by $2\varepsilon$ and
# grows like $u / \varepsilon$. Their sum is smallest near $\varepsilon \approx u^{1/3}$, the
# cube root of the machine epsilon $u$ of the dtype, printed below beside the best step that
# was measured. In float32 $u$ is so much larger that even the best step leaves an error
# above the bound $10^{-7}$. Hence the rule of the book's gradient checks: float64, and
# $\varepsilon = 10^{-6}$.

# %%
def sweep(dtype: type, steps: np.ndarray) -> list[float]:
    """Relative error of the exact gradient against finite differences in ``dtype``."""
    Zd, Yd = Z.astype(dtype), Y.astype(dtype)
    exact = softmax_cross_entropy_backward(softmax(Zd.astype(np.float64)), Y)
    loss = lambda: cross_entropy(softmax(Zd), Yd)  # noqa: E731 - reads Zd as it is nudged
    return [relative_error(exact, numerical_gradient(loss, Zd, eps)) for eps in steps]


steps = np.logspace(-1, -12, 23)
errors = {dtype.__name__: sweep(dtype, steps) for dtype in (np.float64, np.float32)}
for name, errs in errors.items():
    best = int(np.argmin(errs))
    u = np.finfo(name).eps
    print(f"{name}: u = {u:.1e}, u^(1/3) = {u ** (1 / 3):.0e}; smallest relative error "
          f"{errs[best]:.1e} at eps = {steps[best]:.0e}; "
          f"at eps = 1e-6: {errs[int(np.argmin(np.abs(steps - 1e-6)))]:.1e}")

# %%
fig = plot_gradcheck_errors(steps, errors, bound=1e-7, step=1e-6,
                            title="(A - Y)/m against centred differences")
show(fig, alt="Log-log plot of the relative error of the softmax cross-entropy gradient "
              "against the finite-difference step, from 1e-1 on the left to 1e-12 on the "
              "right, one curve for float64 and one for float32, with the 1e-7 bound dotted "
              "and the step 1e-6 marked.", name="softmax-gradcheck-errors")
