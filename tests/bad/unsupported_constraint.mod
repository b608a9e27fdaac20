var x{1..2};
s.t. budget: x[1] + x[2] <= 1;
minimize f: x[1]^2 + x[2]^2;
