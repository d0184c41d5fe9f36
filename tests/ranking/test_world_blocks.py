"""A block's matrices (``ranking/world/blocks.py``): the pairs a shopper touched, and the ones they liked."""

import numpy as np

from ranking.world.blocks import _Pairs


def test_a_weighted_matrix_with_zeros_leaves_the_other_matrices_whole():
    # Shopper 0 saw items 3, 1 and 2 and liked 3 and 2; shopper 1 saw 0 and 4 and liked 4: an
    # impression or a skip is a pair with a weight of zero.
    pairs = _Pairs([np.array([0, 0, 0]), np.array([1, 1])], [np.array([3, 1, 2]), np.array([0, 4])], 2, 5)

    positive = pairs.matrix([np.array([1, 0, 1], np.float32), np.array([0, 1], np.float32)])
    seen = pairs.matrix(None)
    decayed = pairs.matrix([np.array([0.5, 0, 0.25], np.float32), np.array([0, 0.75], np.float32)])

    for matrix in (positive, seen, decayed):
        matrix.check_format(full_check=True)
    assert seen.toarray().tolist() == [[0, 1, 1, 1, 0], [1, 0, 0, 0, 1]]
    assert positive.toarray().tolist() == [[0, 0, 1, 1, 0], [0, 0, 0, 0, 1]]
    assert decayed.toarray().tolist() == [[0, 0, 0.25, 0.5, 0], [0, 0, 0, 0, 0.75]]
