param y{1..3};
var x{1..3};
minimize f: sum {i in 1..3: y[i] > 0} x[i]^2;
