var x{1..2};
minimize f: (x[1] + 2 * (x[2] - 1);
