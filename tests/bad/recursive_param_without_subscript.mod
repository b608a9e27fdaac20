param g{i in 1..3} := if i == 1 then 1 else 2 * g;
var x;
minimize f: g[3] * x^2;
