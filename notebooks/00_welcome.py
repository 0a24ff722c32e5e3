# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 00 · Welcome: what a recommender does
#
# A shop with 1,000 customers and 50 products wants to show each customer the few products
# they are most likely to want. Everything it knows fits in one table, the **ratings
# matrix**: one row per customer, one column per product, and in each cell how much that
# customer likes that product, where we know it. A recommender fills in the empty cells
# and shows each customer the best ones. This course builds recommenders with neural
# networks, on a laptop CPU, and checks every claim it makes.
#
# **Learning goals**
#
# - Read a ratings matrix and tell explicit feedback from implicit feedback.
# - Know what each notebook of the course teaches, and in which order.
# - Know how the notebooks are stored (`.py` and `.ipynb` pairs) and how they are tested.
# - Confirm that TensorFlow works on this machine.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Setup
#
# Every notebook starts the same way: one call that seeds every random number generator,
# makes TensorFlow deterministic and quiet, and sets the plot style. It must come before
# TensorFlow is imported.

# %% slideshow={"slide_type": "skip"}
from course_utils import setup

setup(seed=42)

import numpy as np

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The ratings matrix
#
# Here is a tiny one: 4 customers and 5 products, with `nan` where a customer has not
# rated a product. Real matrices are mostly empty: MovieLens, which we meet in notebook 06,
# is 98% empty.

# %% slideshow={"slide_type": "-"}
ratings = np.array(
    [
        [5, 3, np.nan, 1, np.nan],
        [4, np.nan, np.nan, 1, 2],
        [np.nan, 1, 5, np.nan, 4],
        [1, np.nan, 4, np.nan, np.nan],
    ]
)
known = ~np.isnan(ratings)
print(f"{known.sum()} of {ratings.size} cells known ({known.mean():.0%})")
print("Customer 0 has not rated products", np.flatnonzero(~known[0]).tolist())

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Explicit feedback** is a judgement the customer states: stars on Amazon or Netflix.
# **Implicit feedback** is inferred from behaviour: a purchase, a click on a call to
# action, or the relative frequency with which a customer buys a product. Implicit
# feedback is plentiful but one-sided: a product not bought may be unwanted or merely
# unseen. The course uses both, as the notebook it grew from does.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The course map
#
# | Notebook | What it teaches |
# |---|---|
# | 00 welcome | The ratings matrix, the course map, checking the set-up |
# | 01 synthetic data | A world with a hidden taste and a known noise floor; pairing rows right |
# | 02 SVD baseline | Mean, biases, truncated SVD: the linear ancestor neural networks must beat |
# | 03 MLP | An MLP on customer and product features; overfitting; implicit feedback |
# | 04 top-k, metrics | The top k products, and measuring a ranking (precision, recall, NDCG, MAP) |
# | 05 two-tower | The concatenating two-tower, then the dot product that makes retrieval fast |
# | 06 MovieLens | Real ratings, compared with published results |
# | 07 MovieLens retrieval | Hide each user's latest movie: a two-tower against popularity |
# | 08 scaling, serving | 100,000 products: top k by blocks, approximate search, new customers |
# | 09 next item | The next movie from the last ones watched: EASE, a two-tower reading history |
# | 10 beyond one machine | Sharded TFRecord files, `tf.data`, two workers, a SavedModel to serve |
# | 11 ranking | Feature crosses (DCN-v2), side features, and re-ranking a retriever's top 100 |
# | 12 beyond accuracy | Coverage, novelty, diversity; off-policy estimates vs truth; A/B tests |
#
# The course grows from one notebook that had real mistakes: random ratings that no model
# could learn, features paired with the wrong labels, a shape mismatch Keras trained on
# without a word. Each mistake is shown where it happens, explained, and fixed.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. How the course is stored and checked
#
# - Each notebook is a pair: `NN_topic.py` is the source (plain Python, easy to review)
#   and `NN_topic.ipynb` is the executed notebook with its outputs. In JupyterLab, saving
#   one updates the other (jupytext does this).
# - Shared helpers live in the package `course_utils`, one module per idea; each notebook
#   says which helpers it uses, and the code being taught stays in the notebook.
# - `make test` re-runs every notebook and compares each output with the stored one, so
#   every number printed in the course is one the code really produces.
# - Key claims are checked in the notebook itself with an `assert`, like this one:

# %% slideshow={"slide_type": "-"}
assert known.sum() == 11, known.sum()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Check that TensorFlow works
#
# If this cell prints two lines and no error, the course will run on this machine. No GPU
# is needed: every notebook is sized for a two-core laptop CPU.

# %% slideshow={"slide_type": "-"}
import keras
import tensorflow as tf

product = tf.linalg.matmul(tf.ones((2, 3)), tf.ones((3, 2)))
print("Keras backend:", keras.backend.backend())
print("A 2x3 by 3x2 matrix product of ones:", product.numpy().tolist())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - A recommender fills in the empty cells of the customer × product ratings matrix and
#   shows each customer the best ones.
# - Feedback is explicit (stated ratings) or implicit (purchases, clicks, frequencies).
# - Notebooks are `.py` and `.ipynb` pairs; `make test` re-executes them and compares.
# - TensorFlow works here, on the CPU.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# 1. What fraction of the tiny matrix above is empty? Compute it with `np.isnan`.
#    *Hint:* it is one line.
# 2. Think of a shop you use. Name one explicit and two implicit signals it could record.
#    *Hint:* what do you do on its pages besides buying?
# 3. Change a number printed in this notebook's `.ipynb` in a text editor (say `11 of 20`
#    into `12 of 20`), save it, and run `make test`, or only this notebook's check:
#    `.venv/bin/python -m pytest --nbval --nbval-sanitize-with=nbval_sanitize.cfg
#    notebooks/00_welcome.ipynb`. What does the failure message say? Undo the change
#    afterwards with `git checkout notebooks/00_welcome.ipynb`.
#    *Hint:* `make test` uses **nbval**, a pytest plugin that re-runs each cell and compares
#    what it prints with what is stored.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Solutions
#
# The solutions are collapsed: click the bar at the left of a cell to expand it. Try each
# exercise first.

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 1

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
empty_fraction = np.isnan(ratings).mean()
print(f"empty: {np.isnan(ratings).sum()} of {ratings.size} cells, fraction {empty_fraction:.2f}")

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 2

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# A bookshop, for example. Explicit: the stars of a review the customer writes. Implicit:
# the books they open and how long they stay on each page, the books they put in their
# basket or on a wish list without buying, and the authors they buy again and again. Each
# implicit signal is plentiful but one-sided: a book never opened may be unwanted, or may
# simply never have been shown.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 3

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# nbval re-executes the notebook and fails each cell whose output differs from the stored
# one. For the edit above it reports `00_welcome.ipynb::Cell 1` with
# `Cell outputs differ`, prints the cell's source, then `mismatch 'stdout'` and a diff of
# the two outputs: the stored line starts `12 of 20 ce`, the fresh one `11 of 20 ce`
# (`assert reference_output == test_output failed`). The other cells pass, and the run ends
# with `1 failed`. So a number typed into a stored output, or left stale after a code
# change, cannot pass `make test`.
#
# </details>
