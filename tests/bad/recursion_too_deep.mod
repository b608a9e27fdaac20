param p{i in 1..100000} := if i == 1 then 1 else p[i-1] + 1;
var x;
minimize f: p[100000] * x^2;
