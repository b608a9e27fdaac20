param k;
var x{1..3};
minimize f: x[k]^2;
