param y{1..2};
var x;
minimize f: sum {i in 1..2} (x - y[i])^2;
