param N integer := 2.5;
var x{1..N};
minimize f: sum {i in 1..N} x[i]^2;
