package http

import "net/http"

// metricsPath is where the metrics are served.
const metricsPath = "/metrics"

// metricsRoute serves GET /metrics: open in dev mode, else behind the
// admin token, since the series tell how busy each operation is; without
// either, the node serves them only on a listener of their own, if any.
func (s *Server) metricsRoute(mux *http.ServeMux) {
	if s.Metrics == nil || (!s.OpenMetrics && s.Admin == nil) {
		return
	}
	h := s.Metrics.Handler()
	mux.HandleFunc("GET "+metricsPath, func(w http.ResponseWriter, r *http.Request) {
		if !s.OpenMetrics {
			if err := s.authenticateAdmin(&call{r: r}); err != nil {
				writeError(w, r, dataArts, err)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
