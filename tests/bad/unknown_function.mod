var x;
minimize f: erf(x);
