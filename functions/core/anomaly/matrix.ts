/** Row-major numeric matrix. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}
