include common.mod;
var x;
minimize f: x^2;
