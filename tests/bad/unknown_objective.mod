var x;
minimize f: (x - 1)^2;
