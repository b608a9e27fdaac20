var x integer >= 0;
minimize f: (x - 1)^2;
