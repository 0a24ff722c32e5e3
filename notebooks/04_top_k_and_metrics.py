# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 04 · Top-k recommendation, and how to measure a ranking
#
# A shop does not show a customer predicted ratings; it shows a short list. The seed's
# last MLP step scores all 50 products for a new customer and prints the top 3. This
# notebook does that step properly, for many customers at once, and then asks the
# question the seed never asks: **are these recommendations any good?**
#
# **Learning goals**
#
# - Score every product for a batch of customers in one call, and take each one's top k.
# - Read the seed's prediction cells, their quirks, and a deterministic replacement.
# - Measure a ranking: precision, recall, NDCG, MAP and hit rate at k, and coverage,
#   written out for one customer and checked against the course's functions.
# - Compare random, popularity, SVD and the MLP against an oracle that knows the truth.
# - See why a lower MSE does not always mean a better ranking.

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Setup

# %% slideshow={"slide_type": "skip"}
from course_utils import setup

setup(seed=42)

import keras
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import truncnorm

from course_utils.baselines import fit_biases, fit_svd
from course_utils.data import make_world, pair_table, split_customers, split_pairs
from course_utils.exercises.ranking import (
    check_ndcg_at_k,
    check_recall_at_k,
    check_top_k_new_customer,
)
from course_utils.metrics import (
    catalogue_coverage,
    hit_rate_at_k,
    map_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    top_k_relevance,
)
from course_utils.models import build_mlp
from course_utils.recommend import pair_features, score_all, top_k

# %% slideshow={"slide_type": "skip"}
SEED = 42
TRAINING_SEEDS = (42, 43, 44)  # section 4 retrains the MLP with each: is its lead luck?
TEST_FRACTION = 0.2
SEED_TOP = 3  # the seed's top 3
N_NEW = 10  # the seed's 10 new customers
K = 10  # the cut-off for ranking metrics
KS = [1, 2, 3, 5, 10, 15, 20]
EPOCHS = 10  # the seed's schedule: 10 epochs of batch 32
BATCH_SIZE = 32
STEPS_PER_EXECUTION = 125  # batches per call into TensorFlow: same training, less overhead
SVD_RANK = 2  # the rank chosen on validation in notebook 02
LARGE_CATALOGUE = 100_000  # products in a real shop, for counting operations

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Train the MLP of notebook 03 on the cold-start split
#
# The customers we evaluate are held out entirely: the MLP has never seen a rating of theirs.
# It is the seed's network and schedule; `steps_per_execution` only lets Keras run 125 of
# the 32-row batches per call into TensorFlow instead of one, which removes most of the
# per-step overhead and leaves the batches, their order and the updates unchanged. For
# prediction we set it back to 1: one call already predicts a whole array, batch by batch.

# %% slideshow={"slide_type": "-"}
world = make_world(seed=SEED)
table = pair_table(world.customer_features, world.product_features, world.ratings)
train, test = split_customers(table, TEST_FRACTION, seed=SEED)
new_customers = np.unique(test.customer_ids)
print(f"{len(new_customers)} held-out customers, {world.n_products} products")

# %% slideshow={"slide_type": "subslide"}
keras.utils.set_random_seed(SEED)


def train_seed_mlp(pairs):
    """The seed's 64-32-1 MLP, trained on a PairTable with the seed's schedule."""
    model = build_mlp(pairs.features.shape[1])
    model.compile(loss="mse", optimizer="adam", steps_per_execution=STEPS_PER_EXECUTION)
    model.fit(pairs.features, pairs.y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    model.steps_per_execution = 1  # predict: one batch per step, no retracing per input size
    return model


mlp = train_seed_mlp(train)
print(f"trained on {len(train)} pairs, {EPOCHS} epochs of batch {BATCH_SIZE}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The seed's two prediction cells
#
# The seed draws a new customer, pairs them with every product, predicts and sorts:

# %% slideshow={"slide_type": "-"}
rng = np.random.default_rng(SEED)
new_customer = truncnorm.rvs(-1, 1, size=(1, 5), random_state=rng)
new_data = np.concatenate(
    [np.tile(new_customer, (world.n_products, 1)), world.product_features], axis=1
)
new_ratings = mlp.predict(new_data, verbose=0)
top_products = np.argsort(new_ratings, axis=0)[::-1][:3]
print("shape", top_products.shape)
print(top_products)

# %% [markdown] slideshow={"slide_type": "subslide"}
# It works, with three quirks:
#
# - `predict` returns a `(50, 1)` column, so the result is a `(3, 1)` array: a column of
#   one-element rows, awkward to index and to compare with anything.
# - It sorts all 50 products to keep 3 (more on the cost below).
# - Ties are broken by however `argsort` happens to order them.
#
# The seed's last cell predicts for 10 new customers (its two-tower model takes the two
# feature blocks as two inputs; with our MLP we concatenate them, which is the same pairing).
# It draws the "existing" products afresh, and tiles them: row i of
# `np.tile(X2_new, (N_new, 1))[:N_new]` is fresh product i, so each new customer is paired
# with one invented product. (The seed also draws both with `np.random.rand`, uniform on
# [0, 1); we keep the training distribution to isolate the pairing.)

# %% slideshow={"slide_type": "subslide"}
rng = np.random.default_rng(SEED)
N_new = N_NEW
X1_new = truncnorm.rvs(-1, 1, size=(N_new, 5), random_state=rng)  # new customer features
# "product features for the existing products": drawn afresh, not the shop's products
X2_new = truncnorm.rvs(-1, 1, size=(world.n_products, 10), random_state=rng)
seed_rows = np.concatenate([X1_new, np.tile(X2_new, (N_new, 1))[:N_new]], axis=1)
predicted_ratings = mlp.predict(seed_rows, verbose=0)
print("predicted_ratings shape", predicted_ratings.shape, "values",
      " ".join(f"{r:.2f}" for r in predicted_ratings[:, 0]))
paired_with_fresh = np.array_equal(seed_rows[:, 5:], X2_new[:N_new])
print("row i is new customer i with fresh product i:", paired_with_fresh)
in_catalogue = (X2_new[:, None, :] == world.product_features[None, :, :]).all(axis=2).any()
print("any fresh product is one of the shop's 50:", bool(in_catalogue))

# %% [markdown] slideshow={"slide_type": "subslide"}
# Ten numbers, one per customer, each for a product the shop does not sell: no ranking, and
# nothing to recommend. The fix pairs each new customer with every one of the shop's
# products. `score_all` does that in one batched call and returns `(n_customers, n_products)`
# scores; `top_k` returns a flat `(n_customers, k)` array of product ids, best first:

# %% slideshow={"slide_type": "-"}
new_scores = score_all(mlp, X1_new, world.product_features)
new_top = top_k(new_scores, SEED_TOP)
print("scores", new_scores.shape, "-> top 3 per customer", new_top.shape)
print(new_top[:3].tolist(), "...")
first = score_all(mlp, new_customer, world.product_features)
assert top_k(first, SEED_TOP)[0].tolist() == top_products[:, 0].tolist()

# %% [markdown] slideshow={"slide_type": "subslide"}
# How `top_k` avoids sorting everything (read `course_utils/recommend.py`): `np.partition`
# finds each customer's k-th best score in linear time; a mask keeps every product scoring
# strictly better, plus the lowest-id products tied with the k-th to fill the k places;
# only those k are then sorted, by score, with a stable sort, so ties go to the lower id.
#
# Is sorting the expensive part, though? Count the operations for one customer in a shop
# of 100,000 products: the MLP's multiply-adds to score them, against a full sort.

# %% slideshow={"slide_type": "-"}
kernels = [tuple(layer.kernel.shape) for layer in mlp.layers if hasattr(layer, "kernel")]
per_pair = sum(n_in * n_out for n_in, n_out in kernels)
scoring = per_pair * LARGE_CATALOGUE
sorting = LARGE_CATALOGUE * np.log2(LARGE_CATALOGUE)
print(f"MLP layers {kernels}: {per_pair:,} multiply-adds per pair")
print(f"score {LARGE_CATALOGUE:,} products: {scoring:,} multiply-adds")
print(f"sort them (n log2 n): about {sorting:,.0f} comparisons; "
      f"partition: about {LARGE_CATALOGUE:,}")
print(f"scoring / sorting: {scoring / sorting:.0f}x the operations")
assert scoring > 100 * sorting

# %% [markdown] slideshow={"slide_type": "subslide"}
# For the MLP, **scoring dominates**, not sorting. In wall time the gap is narrower (a matrix
# product does many multiply-adds per cycle, a sort's comparisons branch), but on our
# machines the forward pass still took from about 15 to about 100 times as long as a full
# `argsort` of the same 100,000 scores. Timings vary with the machine, so none is stored here.
# Partial selection saves a little; making scoring cheap (notebooks 05 and 08) saves a lot.
#
# Products a customer already rated or bought can be left out with `exclude`. In the
# cold-start split, customer 0 is a training customer who rated all 50 products, so there
# is nothing left to recommend, and `top_k` says so rather than return rated products:

# %% slideshow={"slide_type": "-"}
customer_0_scores = score_all(mlp, world.customer_features[:1], world.product_features)
rated_in_cold_split = np.zeros((1, world.n_products), dtype=bool)
rated_in_cold_split[0, train.product_ids[train.customer_ids == 0]] = True
try:
    top_k(customer_0_scores, SEED_TOP, exclude=rated_in_cold_split)
except ValueError as error:
    print("ValueError:", error)

# %% [markdown] slideshow={"slide_type": "subslide"}
# The random-pairs split (notebook 01) holds out 20% of all pairs, drawn at random, so the
# number a customer has left unrated varies from customer to customer:

# %% slideshow={"slide_type": "-"}
pairs_train, _ = split_pairs(table, TEST_FRACTION, seed=SEED)
rated_count = np.bincount(pairs_train.customer_ids, minlength=world.n_customers)
print(f"held out: {1 - len(pairs_train) / len(table):.3f} of all pairs; products rated per "
      f"customer: min {rated_count.min()}, mean {rated_count.mean():.1f}, max {rated_count.max()}")
already_rated = np.zeros((1, world.n_products), dtype=bool)
already_rated[0, pairs_train.product_ids[pairs_train.customer_ids == 0]] = True
print(f"customer 0 has rated {already_rated.sum()} products")
print("top 3 of all products:   ", top_k(customer_0_scores, SEED_TOP)[0].tolist())
not_rated_top = top_k(customer_0_scores, SEED_TOP, exclude=already_rated)
print("top 3 of those not rated:", not_rated_top[0].tolist())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. What counts as a good recommendation?
#
# On real data we only know the ratings customers happened to give. Here we know the truth:
# a product is **relevant** to a customer if it is in their true top 10 by expected rating.
# For one customer's list of k products, best first:
#
# - **precision@k** = relevant products in the list / k; **recall@k** = relevant products in
#   the list / all the customer's relevant products. **Hit rate@k**: 1 if the list holds at
#   least one relevant product, else 0.
# - **Average precision (AP@k)**: the precision at each rank that holds a relevant product,
#   summed, divided by min(k, number relevant); it rewards hits near the top. **MAP** is its
#   mean over customers.
# - **DCG@k** (discounted cumulative gain) = the sum over ranks r = 1..k of
#   gain / log2(r + 1): a product counts less the lower it is listed. **NDCG@k** divides by
#   the DCG of the best possible list, so 1 is perfect.
# - **Coverage**: the share of the catalogue that appears in at least one customer's list;
#   a property of the whole system, not of one customer.
#
# Every metric is the mean over customers. Here they are for the held-out customer the MLP
# serves worst (fewest relevant products in its top 10):

# %% slideshow={"slide_type": "subslide"}
truth = world.expected[new_customers]
relevance = top_k_relevance(truth, K)
mlp_scores = score_all(mlp, world.customer_features[new_customers], world.product_features)
mlp_lists = top_k(mlp_scores, max(KS))
hit_counts = np.take_along_axis(relevance, mlp_lists[:, :K], axis=1).sum(axis=1)
i = int(np.argmin(hit_counts))
listed = mlp_lists[i, :K]
relevant = set(np.flatnonzero(relevance[i]).tolist())
hits = np.array([product in relevant for product in listed])  # hits[r - 1]: rank r
print(f"held-out customer {new_customers[i]}: top {K} {listed.tolist()}")
print("hit at ranks 1..10:", hits.astype(int).tolist())

# %% [markdown] slideshow={"slide_type": "subslide"}
# The metrics of that one list, in a few lines each, checked against `course_utils.metrics`.
# The gain in DCG is **2^rating - 1** of the true expected rating (graded relevance):

# %% slideshow={"slide_type": "-"}
ranks = np.arange(1, K + 1)
precision = hits.sum() / K
recall = hits.sum() / len(relevant)
average_precision = (hits * np.cumsum(hits) / ranks).sum() / min(K, len(relevant))
discount = 1 / np.log2(ranks + 1)
dcg = (2 ** truth[i, listed] - 1) @ discount
ideal_dcg = (2 ** np.sort(truth[i])[::-1][:K] - 1) @ discount
ndcg = dcg / ideal_dcg
print(f"precision {precision:.3f}  recall {recall:.3f}  AP {average_precision:.3f}  "
      f"DCG {dcg:.3f} / ideal {ideal_dcg:.3f} = NDCG {ndcg:.3f}")

one = mlp_lists[i : i + 1]
assert np.isclose(precision, precision_at_k(one, relevance[i : i + 1], K))
assert np.isclose(recall, recall_at_k(one, relevance[i : i + 1], K))
assert np.isclose(average_precision, map_at_k(one, relevance[i : i + 1], K))
assert np.isclose(ndcg, ndcg_at_k(one, truth[i : i + 1], K))

# %% [markdown] slideshow={"slide_type": "subslide"}
# With graded relevance, putting a high-rated product above a lower one counts, and the
# exponential gain widens the gaps between good and very good:

# %% slideshow={"slide_type": "-"}
for stars in (4.2, 4.6):
    print(f"expected rating {stars:.1f}: gain 2^{stars:.1f} - 1 = {2**stars - 1:.1f}")
print(f"lowest expected rating of a held-out customer: {truth.min():.3f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Every product has an expected rating of at least one star, so every product earns a gain of
# at least 1: even a random list scores well above 0 on this NDCG (section 4 measures it).
# Read it against random, not against 0.
#
# The **oracle** ranks by the truth. It must score 1 on the five per-customer metrics, a check
# that the metrics and the relevance agree. Coverage is not one of them: it counts products
# across all lists, and the oracle's lists together use only the products that are someone's
# true top 10.

# %% slideshow={"slide_type": "subslide"}
def evaluate(recommended, k=K):
    """Every ranking metric of a (n_customers, >= k) list of product ids, at cut-off k."""
    return {
        "precision": precision_at_k(recommended, relevance, k),
        "recall": recall_at_k(recommended, relevance, k),
        "ndcg": ndcg_at_k(recommended, truth, k),
        "map": map_at_k(recommended, relevance, k),
        "hit rate": hit_rate_at_k(recommended, relevance, k),
        "coverage": catalogue_coverage(recommended[:, :k], world.n_products),
    }


oracle_lists = top_k(truth, max(KS))
oracle = evaluate(oracle_lists)
print({name: round(value, 3) for name, value in oracle.items()})
used = len(np.unique(oracle_lists[:, :K]))
print(f"the oracle's top {K} lists use {used} of {world.n_products} products")
assert all(oracle[m] == 1.0 for m in ("precision", "recall", "ndcg", "map", "hit rate"))
assert oracle["coverage"] < 1.0

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Four recommenders on new customers
#
# - **random**: a random ordering of the products, for each customer.
# - **popularity**: the products with the highest fitted product bias (notebook 02's biases
#   model: how far a product's training ratings sit above the mean, once each customer's own
#   bias is taken out), the same list for everyone; it is all a baseline has for a new customer.
# - **MLP**: scores from the customer's features (computed once, in section 3).
# - **oracle**: the truth, the ceiling.
#
# `top_k` is asked for 20 products, the largest k we plot; metrics at k use the first k.

# %% slideshow={"slide_type": "subslide"}
rng = np.random.default_rng(SEED)
max_k = max(KS)
n_new = len(new_customers)
biases = fit_biases(train, world.n_customers, world.n_products)
recommenders = {
    "random": top_k(rng.random((n_new, world.n_products)), max_k),
    "popularity": top_k(np.tile(biases.product_bias, (n_new, 1)), max_k),
    "MLP": mlp_lists,
    "oracle": oracle_lists,
}
print(f"{'':>10}" + "".join(f"{m:>10}" for m in oracle))
results = {}
for name, recommended in recommenders.items():
    results[name] = evaluate(recommended)
    print(f"{name:>10}" + "".join(f"{v:>10.3f}" for v in results[name].values()))

# %% [markdown] slideshow={"slide_type": "subslide"}
# The MLP finds most of each new customer's true top 10; popularity shows everyone the same
# 10 products, so it covers only 0.200 of the catalogue and fits few customers; random finds
# what chance allows, about 10 in 50. Random's NDCG is 0.513, for the reason above. The
# claims, checked:

# %% slideshow={"slide_type": "-"}
print(f"recall@{K}: MLP {results['MLP']['recall']:.3f}, popularity "
      f"{results['popularity']['recall']:.3f}, random {results['random']['recall']:.3f}")
assert results["MLP"]["recall"] > 2 * results["popularity"]["recall"]
assert results["MLP"]["recall"] > 2 * results["random"]["recall"]
assert abs(results["random"]["recall"] - K / world.n_products) < 0.05
assert results["random"]["ndcg"] > 0.4

# %% [markdown] slideshow={"slide_type": "subslide"}
# That is one trained MLP. Another training seed starts from other weights and sees the
# batches in another order: does the lead survive it? The same network, retrained on the
# same customers with each of `TRAINING_SEEDS`:

# %% slideshow={"slide_type": "-"}
seed_recalls = {SEED: results["MLP"]["recall"]}
every_pair = pair_features(world.customer_features[new_customers], world.product_features)
for seed in TRAINING_SEEDS[1:]:
    keras.utils.set_random_seed(seed)
    retrained = train_seed_mlp(train)
    scores = keras.ops.convert_to_numpy(retrained(every_pair)).reshape(n_new, -1)  # one call
    seed_recalls[seed] = recall_at_k(top_k(scores, K), relevance, K)
print(f"MLP recall@{K} by training seed:",
      ", ".join(f"{seed}: {r:.3f}" for seed, r in seed_recalls.items()))
assert min(seed_recalls.values()) > 2 * results["popularity"]["recall"], seed_recalls

# %% [markdown] slideshow={"slide_type": "subslide"}
# Precision and recall against k. With exactly 10 relevant products per customer, the
# oracle's precision is 1 up to k = 10 and falls after; its recall rises to 1 at k = 10.

# %% slideshow={"slide_type": "-"}
curves = {
    name: ([precision_at_k(lists, relevance, k) for k in KS],
           [recall_at_k(lists, relevance, k) for k in KS])
    for name, lists in recommenders.items()
}
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for name, (precisions, recalls) in curves.items():
    axes[0].plot(KS, precisions, marker="o", label=name)
    axes[1].plot(KS, recalls, marker="o", label=name)
    print(f"{name:>10} at k={KS}: precision {' '.join(f'{p:.2f}' for p in precisions)}; "
          f"recall {' '.join(f'{r:.2f}' for r in recalls)}")
axes[0].set(xlabel="k", ylabel="precision@k", title="Precision against k")
axes[1].set(xlabel="k", ylabel="recall@k", title="Recall against k")
axes[1].legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. SVD, on customers it knows
#
# SVD cannot rank for new customers at all (notebook 02). On the random-pairs split, every
# customer has ratings in training, so SVD can rank for them. We compare it there with an
# MLP trained on the same split (`pairs_train`, from section 2).

# %% slideshow={"slide_type": "-"}
keras.utils.set_random_seed(SEED)
svd = fit_svd(pairs_train, world.n_customers, world.n_products, SVD_RANK)
pairs_mlp = train_seed_mlp(pairs_train)

known_relevance = top_k_relevance(world.expected, K)
every_customer = np.repeat(np.arange(world.n_customers), world.n_products)
every_product = np.tile(np.arange(world.n_products), world.n_customers)
svd_scores = svd.predict(every_customer, every_product).reshape(world.n_customers, -1)
known_lists = {
    "SVD": top_k(svd_scores, K),
    "MLP": top_k(score_all(pairs_mlp, world.customer_features, world.product_features), K),
}
for name, recommended in known_lists.items():
    print(f"known customers, {name}: recall@{K} "
          f"{recall_at_k(recommended, known_relevance, K):.3f}, "
          f"ndcg@{K} {ndcg_at_k(recommended, world.expected, K):.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. When MSE and ranking disagree
#
# MSE judges every predicted rating; a ranking only judges the order of each customer's
# products. Add a random offset to each customer's MLP scores: every rating is now off, so
# MSE gets much worse, but each customer's order is unchanged, so every ranking metric is
# identical. Compare it with popularity, whose ratings are closer on average but whose
# order ignores the customer:

# %% slideshow={"slide_type": "-"}
rng = np.random.default_rng(SEED)
observed = world.ratings[new_customers]
offset_scores = mlp_scores + rng.normal(0, 1.0, size=(n_new, 1))
popularity_scores = biases.predict_matrix()[new_customers]

mse, recall = {}, {}
print(f"{'':>22}{'MSE':>8}{'recall@10':>11}")
for name, predicted in [
    ("MLP", mlp_scores),
    ("MLP + customer offset", offset_scores),
    ("popularity (biases)", popularity_scores),
]:
    mse[name] = np.mean((predicted - observed) ** 2)
    recall[name] = recall_at_k(top_k(predicted, K), relevance, K)
    print(f"{name:>22}{mse[name]:>8.3f}{recall[name]:>11.3f}")

# %% slideshow={"slide_type": "subslide"}
assert recall["MLP + customer offset"] == recall["MLP"]
assert mse["MLP + customer offset"] > mse["popularity (biases)"]
assert recall["MLP + customer offset"] > recall["popularity (biases)"]

# %% [markdown] slideshow={"slide_type": "slide"}
# So choose the metric for the job: MSE (or RMSE) when the predicted rating itself is shown
# or used; ranking metrics when what matters is the list.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - `score_all` scores all products for a batch of customers in one call; `top_k` returns a
#   flat `(n_customers, k)` array, best first, finding the k-th best with `np.partition`, a
#   mask for the k best, and sorting only those k. The seed's cells return a `(3, 1)` column
#   and, for 10 new customers, one invented product each.
# - For an MLP, scoring every product costs far more than sorting them.
# - Precision, recall, AP, DCG/NDCG (gain 2^rating - 1, discount log2(rank + 1)) fit in a few
#   lines for one customer; the oracle scores 1 on each, though not on coverage.
# - On new customers the MLP's recall@10 is more than twice popularity's and random's, with
#   each of three training seeds.
# - MSE and ranking can disagree: the MLP with a per-customer offset has a worse MSE than
#   popularity and a far better ranking.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# Exercises 1-3 are coding exercises with a check: fill in the function, run its cell, then
# run the check below it. Exercises 4-6 are questions to explore.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1 (coding, checked): recall@k for every customer
#
# Write `recall_at_k_exercise(recommended, relevance, k)` (the suffix keeps the course's
# `recall_at_k`, imported above, from being replaced): `recommended` is a `(n_customers, >=
# k)` int array of product ids, best first; `relevance` a `(n_customers, n_products)` 0/1
# array (every customer has at least one relevant product). Return the mean over customers
# of (relevant products among the first k) / (the customer's relevant products), one float.
#
# *Hint:* `np.take_along_axis(relevance, recommended[:, :k], axis=1)` is the relevance of the
# product at each of the first k ranks.

# %% slideshow={"slide_type": "subslide"}
def recall_at_k_exercise(recommended, relevance, k):
    """Mean over customers of |top k ∩ relevant| / |relevant|."""
    raise NotImplementedError("Exercise 1: replace this line with your code")


# %% slideshow={"slide_type": "subslide"}
check_recall_at_k(recall_at_k_exercise)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2 (coding, checked): NDCG@k
#
# Write `ndcg_at_k_exercise(recommended, relevance, k)` with graded relevance (`relevance`
# holds numbers >= 0, such as expected ratings): per customer, DCG@k = sum over ranks r =
# 1..k of (2^rel - 1) / log2(r + 1), divided by the DCG@k of the best possible list; return
# the mean.
#
# *Hint:* the best possible list is the customer's whole relevance row sorted in decreasing
# order, not the recommended products re-sorted.

# %% slideshow={"slide_type": "-"}
def ndcg_at_k_exercise(recommended, relevance, k):
    """Mean over customers of DCG@k / ideal DCG@k, with gain 2^rel - 1."""
    raise NotImplementedError("Exercise 2: replace this line with your code")


# %% slideshow={"slide_type": "subslide"}
check_ndcg_at_k(ndcg_at_k_exercise)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3 (coding, checked): top k for a new customer, without sorting everything
#
# Write `top_k_new_customer_exercise(model, customer, product_features, k)`: `customer` is a
# `(1, n_customer_features)` array, `model.predict(rows, verbose=0)` scores rows of customer
# features then product features and returns `(n_rows, 1)`. Return a flat `(k,)` int array
# of the k best product ids, best first, without sorting all the products.
#
# *Hint:* `np.argpartition(-scores, k - 1)[:k]` holds the k best in some order; sort only those.

# %% slideshow={"slide_type": "-"}
def top_k_new_customer_exercise(model, customer, product_features, k):
    """The k best product ids for one new customer, best first: a (k,) int array."""
    raise NotImplementedError("Exercise 3: replace this line with your code")


# %% slideshow={"slide_type": "subslide"}
check_top_k_new_customer(top_k_new_customer_exercise)

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 4: how often is the seed's top 3 right?
#
# Compute the MLP's recall@3 for the new customers: how often is its top 3 in the customer's
# true top 3? *Hint:* `top_k_relevance(truth, 3)`.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 5: the next 10
#
# Exclude, for each held-out customer, the 10 products the MLP scores highest, and recommend
# 10 more. What is recall@10 now, against the same true top 10? *Hint:* build `exclude` from
# `top_k`.

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Exercise 6: coverage
#
# Popularity's coverage is 0.200. Which recommender has the highest coverage, and is high
# coverage always good? *Hint:* look at random.
#
# ## Solutions
#
# The solutions are collapsed: click the bar at the left of a cell to expand it. Each coding
# solution runs the same check as your attempt.

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 1

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def recall_at_k_solution(recommended, relevance, k):
    """Mean over customers of |top k ∩ relevant| / |relevant|."""
    hits = np.take_along_axis(relevance, recommended[:, :k], axis=1).sum(axis=1)
    return float(np.mean(hits / relevance.sum(axis=1)))


check_recall_at_k(recall_at_k_solution)
assert np.isclose(recall_at_k_solution(mlp_lists, relevance, K), results["MLP"]["recall"])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 2

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def ndcg_at_k_solution(recommended, relevance, k):
    """Mean over customers of DCG@k / ideal DCG@k, with gain 2^rel - 1."""
    discount = 1 / np.log2(np.arange(1, k + 1) + 1)
    gains = 2.0 ** np.take_along_axis(relevance, recommended[:, :k], axis=1) - 1
    ideal = 2.0 ** -np.sort(-relevance, axis=1)[:, :k] - 1
    return float(np.mean((gains @ discount) / (ideal @ discount)))


check_ndcg_at_k(ndcg_at_k_solution)
assert np.isclose(ndcg_at_k_solution(mlp_lists, truth, K), results["MLP"]["ndcg"])

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 3

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
def top_k_new_customer_solution(model, customer, product_features, k):
    """The k best product ids for one new customer, best first: a (k,) int array."""
    rows = np.concatenate([np.tile(customer, (len(product_features), 1)), product_features], 1)
    scores = model.predict(rows, verbose=0)[:, 0]  # (n_products,), not (n_products, 1)
    best = np.argpartition(-scores, k - 1)[:k]  # the k best, in no particular order
    return best[np.argsort(-scores[best])]  # sort only those k


check_top_k_new_customer(top_k_new_customer_solution)
mine = top_k_new_customer_solution(mlp, new_customer, world.product_features, SEED_TOP)
assert mine.tolist() == top_products[:, 0].tolist()

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 4

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
top_3_relevance = top_k_relevance(truth, 3)
for name in ("MLP", "random"):
    print(f"{name}: recall@3 against the true top 3: "
          f"{recall_at_k(recommenders[name], top_3_relevance, 3):.3f}")

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# The MLP's top 3 holds, on average, 0.823 of each customer's true top 3, far above random's
# 0.045 (3 in 50 by chance). Getting the exact top 3 is harder than the top 10,
# because near the top the expected ratings are close together and small errors reorder them.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 5

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
first_ten = np.zeros_like(relevance, dtype=bool)
np.put_along_axis(first_ten, mlp_lists[:, :K], True, axis=1)
next_ten = top_k(mlp_scores, K, exclude=first_ten)
print(f"MLP recall@{K}: first 10 {results['MLP']['recall']:.3f}, "
      f"next 10 {recall_at_k(next_ten, relevance, K):.3f}")
assert recall_at_k(next_ten, relevance, K) < results["MLP"]["recall"]
assert not np.take_along_axis(first_ten, next_ten, axis=1).any()  # nothing shown twice

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# The next 10 hold only the few relevant products the MLP ranked 11th to 20th, so recall is
# low, 0.084 against 0.914 for the first 10: together the two lists find what `recall@20`
# would. Excluding works as it should: the second list shares no product with the first.
#
# </details>

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Solution 6

# %% jupyter={"outputs_hidden": true, "source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
for name in recommenders:
    print(f"{name:>10}: coverage {results[name]['coverage']:.3f}, "
          f"recall@{K} {results[name]['recall']:.3f}")

# %% [markdown] jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["solution"]
# <details><summary>Model answer (click to open)</summary>
#
# Random has the highest coverage, 1.000: every product appears in someone's list, yet its
# recall is the lowest. High coverage is not good in itself; it matters beside a good
# ranking (a shop wants its whole catalogue found by the customers it suits). The oracle's
# coverage, 0.800, is what serving everyone well needs here; popularity's 0.200 is too little.
#
# </details>
