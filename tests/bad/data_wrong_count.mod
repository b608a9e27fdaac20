param y{1..3};
var x;
minimize f: sum {i in 1..3} (x - y[i])^2;
data;
param y := 1 0.5 2 0.25 3;
