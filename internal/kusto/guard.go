package kusto

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// ErrMalformedResponse is wrapped by errors about responses that break the
// Kusto v2 protocol (the service or a proxy misbehaving, or a cut stream).
var ErrMalformedResponse = errors.New("malformed kusto v2 response")

// ErrResponseTooLarge is wrapped when a response exceeds Options.MaxResponseBytes.
var ErrResponseTooLarge = errors.New("kusto response too large")

// frameGuard sits between the HTTP body and the SDK's frame reader. It hands
// the SDK one complete line (one frame) at a time, after checking it; a
// failed check ends the stream with an error the caller gets back from
// Err even where the SDK drops it.
type frameGuard struct {
	src       io.ReadCloser
	br        *bufio.Reader
	limit     int64 // the byte cap
	remaining int64 // bytes still allowed
	pending   []byte
	line      int
	openCols  int // column count of the open streamed table, -1 when none
	completed bool
	ended     bool

	mu  sync.Mutex
	err error
}

func newFrameGuard(src io.ReadCloser, maxBytes int64) *frameGuard {
	return &frameGuard{src: src, br: bufio.NewReaderSize(src, 64<<10), limit: maxBytes, remaining: maxBytes, openCols: -1}
}

// Err returns the error that ended the stream, if any.
func (g *frameGuard) Err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

func (g *frameGuard) fail(err error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err == nil {
		g.err = err
	}
	return g.err
}

// Close closes the body.
func (g *frameGuard) Close() error { return g.src.Close() }

// Read implements io.Reader.
func (g *frameGuard) Read(p []byte) (int, error) {
	if err := g.Err(); err != nil {
		return 0, err
	}
	for len(g.pending) == 0 {
		line, err := g.readLine()
		if err != nil {
			if err == io.EOF {
				return 0, io.EOF
			}
			return 0, g.fail(err)
		}
		g.pending = line
	}
	n := copy(p, g.pending)
	g.pending = g.pending[n:]
	return n, nil
}

// readLine returns the next checked line, or io.EOF after a complete data
// set. The DataSetCompletion frame is returned together with the closing
// ']' only after everything behind it was checked, so a bad ending is
// reported before the SDK can declare success.
func (g *frameGuard) readLine() ([]byte, error) {
	if g.ended {
		return nil, io.EOF
	}
	line, err := g.nextLine()
	if err != nil || !g.completed {
		return line, err
	}
	closing, err := g.nextLine()
	if err != nil {
		return nil, err
	}
	if err := g.checkTrailer(); err != nil {
		return nil, err
	}
	return append(line, closing...), nil
}

// nextLine reads and checks one non-empty line.
func (g *frameGuard) nextLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := g.br.ReadSlice('\n')
		if int64(len(chunk)) > g.remaining {
			return nil, fmt.Errorf("%w: more than %d bytes; narrow the query (project fewer columns, summarize, or take fewer rows)", ErrResponseTooLarge, g.limit)
		}
		g.remaining -= int64(len(chunk))
		line = append(line, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: the response was cut off after %d frames (%v)", ErrMalformedResponse, g.line, err)
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("reading kusto response: %w", err)
		}
		break
	}
	text := bytes.TrimSpace(line)
	if len(text) == 0 {
		if len(line) > 0 {
			return nil, fmt.Errorf("%w: empty line after frame %d", ErrMalformedResponse, g.line)
		}
		return nil, g.truncated()
	}
	g.line++
	if err := g.check(text); err != nil {
		return nil, err
	}
	if len(line) > 0 && line[len(line)-1] != '\n' {
		line = append(line, '\n') // the SDK's line reader wants every frame terminated
	}
	return line, nil
}

// checkTrailer makes sure nothing but white space follows the closing ']'.
func (g *frameGuard) checkTrailer() error {
	rest, err := io.ReadAll(io.LimitReader(g.br, g.remaining+1))
	if err != nil {
		return fmt.Errorf("reading kusto response: %w", err)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return fmt.Errorf("%w: content after the end of the data set", ErrMalformedResponse)
	}
	return nil
}

func (g *frameGuard) truncated() error {
	if g.line == 0 {
		return fmt.Errorf("%w: empty response body", ErrMalformedResponse)
	}
	return fmt.Errorf("%w: the response ended after %d frames, before the data set was complete (truncated stream)", ErrMalformedResponse, g.line)
}

// guardFrame holds the parts of a frame the guard checks. Cells are only
// counted: skip decodes nothing and allocates nothing.
type guardFrame struct {
	FrameType string   `json:"FrameType"`
	Columns   []skip   `json:"Columns"`
	Rows      [][]skip `json:"Rows"`
}

// looseFrame is the fallback decoding when a row is not an array (an
// in-data error object, or garbage), to say which.
type looseFrame struct {
	Rows []json.RawMessage `json:"Rows"`
}

type skip struct{}

func (*skip) UnmarshalJSON([]byte) error { return nil }

type oneAPIError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Detail  string `json:"@message"`
	} `json:"error"`
}

func (g *frameGuard) check(text []byte) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: frame %d: %s", ErrMalformedResponse, g.line, fmt.Sprintf(format, a...))
	}
	switch {
	case g.ended:
		return bad("content after the end of the data set")
	case text[0] == ']':
		if len(text) != 1 {
			return bad("content after the end of the data set")
		}
		if !g.completed {
			return g.truncated()
		}
		g.ended = true
		return nil
	case g.line == 1 && text[0] != '[':
		return bad("the body is not a JSON array of frames: %.200s", text)
	case g.line > 1 && text[0] != ',':
		return bad("expected one frame per line")
	case g.completed:
		return bad("frame after DataSetCompletion")
	}
	var f guardFrame
	dec := json.NewDecoder(bytes.NewReader(text[1:]))
	if err := dec.Decode(&f); err != nil {
		var lf looseFrame
		if json.Unmarshal(text[1:], &lf) == nil {
			if err := checkRowShapes(lf.Rows, bad); err != nil {
				return err
			}
		}
		return bad("%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("expected one frame per line")
	}
	return g.checkFrame(&f, bad)
}

func (g *frameGuard) checkFrame(f *guardFrame, bad func(string, ...any) error) error {
	if g.line == 1 && f.FrameType != "DataSetHeader" {
		return bad("the first frame is %q, not DataSetHeader", f.FrameType)
	}
	switch f.FrameType {
	case "DataTable":
		return checkRows(f.Rows, len(f.Columns), bad)
	case "TableHeader":
		if g.openCols >= 0 {
			return bad("TableHeader while a table is open")
		}
		g.openCols = len(f.Columns)
	case "TableFragment":
		if g.openCols < 0 {
			return bad("TableFragment outside a table")
		}
		return checkRows(f.Rows, g.openCols, bad)
	case "TableCompletion":
		if g.openCols < 0 {
			return bad("TableCompletion outside a table")
		}
		g.openCols = -1
	case "DataSetCompletion":
		if g.openCols >= 0 {
			return bad("DataSetCompletion while a table is open")
		}
		g.completed = true
	}
	return nil
}

// checkRows checks every row has exactly cols cells.
func checkRows(rows [][]skip, cols int, bad func(string, ...any) error) error {
	for i, cells := range rows {
		if len(cells) != cols {
			return bad("row %d has %d cells for %d columns", i, len(cells), cols)
		}
	}
	return nil
}

// checkRowShapes explains a row that is not an array. An object row is an
// error the service reported in the data ("in_data" placement).
func checkRowShapes(rows []json.RawMessage, bad func(string, ...any) error) error {
	for i, raw := range rows {
		raw = bytes.TrimSpace(raw)
		if len(raw) > 0 && raw[0] == '{' {
			var e struct {
				OneApiErrors []oneAPIError `json:"OneApiErrors"`
			}
			if err := json.Unmarshal(raw, &e); err == nil && len(e.OneApiErrors) > 0 {
				return &serverError{msg: e.OneApiErrors[0].text()}
			}
		}
		if len(raw) == 0 || raw[0] != '[' {
			return bad("row %d is not an array", i)
		}
	}
	return nil
}

func (e oneAPIError) text() string {
	switch {
	case e.Error.Detail != "":
		return e.Error.Detail
	case e.Error.Message != "":
		return e.Error.Message
	case e.Error.Code != "":
		return e.Error.Code
	}
	return "the service reported an error without a message"
}

// serverError is an error the service reported; its text is the service's.
type serverError struct{ msg string }

func (e *serverError) Error() string { return e.msg }
