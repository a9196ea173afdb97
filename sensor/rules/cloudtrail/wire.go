package cloudtrail

import (
	"strconv"

	"github.com/probehub/probehub/internal/jsonptr"
)

// text is one JSON value rendered as the plugins render it: a string
// unquoted, anything else as compact JSON. ok records that the key was
// present, str that the value was a JSON string.
type text struct {
	s       string
	ok, str bool
}

func (t *text) UnmarshalJSON(b []byte) error {
	t.s, t.ok, t.str = jsonptr.Text(string(b)), true, len(b) > 0 && b[0] == '"'
	return nil
}

// num is a JSON number (or a numeric string) read as an integer; floats
// are truncated, as the plugin does for bytesTransferred values.
type num struct {
	v  int64
	ok bool
}

func (n *num) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) > 1 && s[0] == '"' {
		s = s[1 : len(s)-1]
	}
	f, err := strconv.ParseFloat(s, 64)
	if err == nil {
		n.v, n.ok = int64(f), true
	}
	return nil
}

// wire is the part of a CloudTrail record the fields read.
type wire struct {
	EventVersion text `json:"eventVersion"`
	UserIdentity struct {
		Type           text `json:"type"`
		PrincipalID    text `json:"principalId"`
		ARN            text `json:"arn"`
		AccountID      text `json:"accountId"`
		UserName       text `json:"userName"`
		InvokedBy      text `json:"invokedBy"`
		SessionContext struct {
			SessionIssuer struct {
				UserName text `json:"userName"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	EventTime                    text `json:"eventTime"`
	EventSource                  text `json:"eventSource"`
	EventName                    text `json:"eventName"`
	AWSRegion                    text `json:"awsRegion"`
	SourceIPAddress              text `json:"sourceIPAddress"`
	UserAgent                    text `json:"userAgent"`
	ErrorCode                    text `json:"errorCode"`
	ErrorMessage                 text `json:"errorMessage"`
	RequestParameters            text `json:"requestParameters"`
	ResponseElements             text `json:"responseElements"`
	AdditionalEventData          text `json:"additionalEventData"`
	RequestID                    text `json:"requestID"`
	EventID                      text `json:"eventID"`
	EventType                    text `json:"eventType"`
	APIVersion                   text `json:"apiVersion"`
	ReadOnly                     text `json:"readOnly"`
	ManagementEvent              text `json:"managementEvent"`
	Resources                    text `json:"resources"`
	RecipientAccountID           text `json:"recipientAccountId"`
	ServiceEventDetails          text `json:"serviceEventDetails"`
	SharedEventID                text `json:"sharedEventID"`
	VPCEndpointID                text `json:"vpcEndpointId"`
	EventCategory                text `json:"eventCategory"`
	SessionCredentialFromConsole text `json:"sessionCredentialFromConsole"`
	EdgeDeviceDetails            text `json:"edgeDeviceDetails"`
	Addendum                     struct {
		Reason            text `json:"reason"`
		UpdatedFields     text `json:"updatedFields"`
		OriginalRequestID text `json:"originalRequestID"`
		OriginalEventID   text `json:"originalEventID"`
	} `json:"addendum"`
	TLSDetails struct {
		TLSVersion               text `json:"tlsVersion"`
		CipherSuite              text `json:"cipherSuite"`
		ClientProvidedHostHeader text `json:"clientProvidedHostHeader"`
	} `json:"tlsDetails"`
}

// requestParams are the requestParameters keys fields read.
type requestParams struct {
	AvailabilityZone text `json:"availabilityZone"`
	Cluster          text `json:"cluster"`
	FunctionName     text `json:"functionName"`
	GroupName        text `json:"groupName"`
	Host             text `json:"Host"`
	Name             text `json:"name"`
	Policy           text `json:"policy"`
	SerialNumber     text `json:"serialNumber"`
	ServiceName      text `json:"serviceName"`
	SubnetID         text `json:"subnetId"`
	TaskDefinition   text `json:"taskDefinition"`
	UserName         text `json:"userName"`
	BucketName       text `json:"bucketName"`
	Key              text `json:"key"`
	RepositoryName   text `json:"repositoryName"`
	ImageTag         text `json:"imageTag"`
	TagSpecification struct {
		Items []struct {
			ResourceType text `json:"resourceType"`
			Tags         []struct {
				Key   text `json:"key"`
				Value text `json:"value"`
			} `json:"tags"`
		} `json:"items"`
	} `json:"tagSpecificationSet"`
}

// additionalData are the additionalEventData keys fields read.
type additionalData struct {
	BytesIn  num `json:"bytesTransferredIn"`
	BytesOut num `json:"bytesTransferredOut"`
}

// responseElements are the responseElements keys fields read.
type responseElements struct {
	SubnetID      text `json:"subnetId"`
	ReservationID text `json:"reservationId"`
	InstancesSet  struct {
		Items []struct {
			ImageID text `json:"imageId"`
		} `json:"items"`
	} `json:"instancesSet"`
}
