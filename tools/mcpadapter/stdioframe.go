package mcpadapter

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// On stdio mcp-go reads each message with bufio.Reader.ReadString, so one
// line without an end grows in memory as long as the client sends (a 300 MB
// line took the process to 540 MB). stdioFrames stands in front of it: it
// hands mcp-go only whole lines of at most max bytes that checkFrame passes
// (read as the gate reads an HTTP message, readHead),
// and answers the others itself, on the same output.

// lockedOut serializes writes to the client: mcp-go writes each message
// with one Write, and so does stdioFrames.
type lockedOut struct {
	mu sync.Mutex
	w  io.Writer
}

func (o *lockedOut) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.w.Write(p)
}

// stdioFrames returns the reader mcp-go reads messages from. It ends (EOF,
// or in's error) when in does, or when the returned reader is closed.
func stdioFrames(in io.Reader, out io.Writer, max int64) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		br := bufio.NewReaderSize(in, 64<<10)
		for {
			line, err := readFrame(br, max)
			var fe *frameError
			switch {
			case errors.As(err, &fe):
				_, err = out.Write(append(fe.response(), '\n'))
			case len(bytes.TrimSpace(line)) == 0: // nothing, or a blank line
			default:
				if _, fe := readHead(line); fe != nil { // checkFrame's answer, plain lines without decoding them
					_, err = out.Write(append(fe.response(), '\n'))
					break
				}
				_, werr := pw.Write(append(line, '\n'))
				if err == nil {
					err = werr
				}
			}
			if err != nil {
				pw.CloseWithError(err) // io.EOF reads as a clean end
				return
			}
		}
	}()
	return pr
}

// readFrame reads one line without its end. A line longer than max is
// read to its end and dropped, and reported as a *frameError.
func readFrame(br *bufio.Reader, max int64) ([]byte, error) {
	var line []byte
	var n int64
	for {
		chunk, err := br.ReadSlice('\n')
		n += int64(len(chunk))
		if n <= max+1 { // +1: the line end is not part of the message
			line = append(line, chunk...)
		} else {
			line = nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if n > max+1 || (n > max && (len(chunk) == 0 || chunk[len(chunk)-1] != '\n')) {
			fe := &frameError{invalidRequest, nil, fmt.Sprintf(
				"a message is more than %d bytes, the limit (--max-body-bytes); it was dropped: send a smaller one", max)}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, fe
		}
		return bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r")), err
	}
}
