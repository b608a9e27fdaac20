var x{5..2};
minimize f{i in 1..2}: x[i]^2;
