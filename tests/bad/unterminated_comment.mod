var x;
/* the objective
minimize f: x^2;
