/**
 * Numerical building blocks, written for nsp: the error function family and Dawson's integral
 * ({@link dev.nsp.math.SpecialFunctions}, about 1e-14 relative), adaptive Gauss-Legendre quadrature
 * ({@link dev.nsp.math.Quadrature}) and Levenberg-Marquardt least squares ({@link dev.nsp.math.LevenbergMarquardt}).
 */
package dev.nsp.math;
