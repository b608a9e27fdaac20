param n;
set S := 1..n;
var x{S};
minimize f: sum {i in S} x[i]^2;
