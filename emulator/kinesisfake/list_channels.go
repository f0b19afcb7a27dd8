package kinesisfake

// ListChannels.
//
// Matches AWS: channel summaries in name order, paged by MaxResults
// (1-10000, default 100) and NextToken; StreamFilter keeps the channels that
// read any of the given streams.
// Differs: NextToken is a plain offset and does not expire.

import (
	"sort"
	"strconv"
)

type listChannelsInput struct {
	noTarget
	MaxResults   *int   `json:"MaxResults,omitempty"`
	NextToken    string `json:"NextToken,omitempty"`
	StreamFilter []struct {
		StreamARN string `json:"StreamARN"`
	} `json:"StreamFilter,omitempty"`
}

type channelSummary struct {
	ChannelARN               string          `json:"ChannelARN"`
	ChannelName              string          `json:"ChannelName"`
	ChannelID                string          `json:"ChannelId"`
	ChannelStatus            string          `json:"ChannelStatus"`
	ChannelCreationTimestamp *awsTime        `json:"ChannelCreationTimestamp"`
	ChannelDestinationType   string          `json:"ChannelDestinationType"`
	Streams                  []channelStream `json:"Streams"`
}

type listChannelsOutput struct {
	ChannelSummaries []channelSummary `json:"ChannelSummaries"`
	NextToken        string           `json:"NextToken,omitempty"`
}

func listChannels(s *Server, c *call, in *listChannelsInput) (any, error) {
	max := 100
	if in.MaxResults != nil {
		max = *in.MaxResults
		if max < 1 || max > 10000 {
			return nil, errValidation("maxResults", "Member must have value between 1 and 10000", max)
		}
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 {
			return nil, errInvalid("NextToken %q is not a token this server issued.", in.NextToken)
		}
		start = n
	}
	want := map[string]bool{}
	for _, f := range in.StreamFilter {
		want[f.StreamARN] = true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []*channel
	for _, ch := range s.channels {
		keep := len(want) == 0
		for _, st := range ch.streams {
			keep = keep || want[st.StreamARN]
		}
		if keep {
			all = append(all, ch)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	out := listChannelsOutput{ChannelSummaries: []channelSummary{}}
	for i := start; i < len(all); i++ {
		if len(out.ChannelSummaries) == max {
			out.NextToken = strconv.Itoa(i)
			break
		}
		ch := all[i]
		dest := "S3"
		if ch.s3Tables != nil {
			dest = "S3_TABLES"
		}
		streams := make([]channelStream, len(ch.streams))
		for j, st := range ch.streams {
			streams[j] = channelStream{StreamARN: st.StreamARN, StreamCreationTimestamp: st.StreamCreationTimestamp}
		}
		out.ChannelSummaries = append(out.ChannelSummaries, channelSummary{
			ChannelARN: s.channelARN(ch.name), ChannelName: ch.name, ChannelID: ch.id, ChannelStatus: s.channelStatus(ch, c.now),
			ChannelCreationTimestamp: msTime(ch.createdMs), ChannelDestinationType: dest, Streams: streams,
		})
	}
	return out, nil
}
