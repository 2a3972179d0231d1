#include "net/StorageReceiver.h"

#include "Error.h"
#include "net/DimseAssociation.h"

#include <dcmtk/dcmdata/dcobject.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/scp.h>

namespace spinelens::net {

const std::vector<std::string>& storageTransferSyntaxes() {
    // In order of preference where a sender offers several for one context: lossless
    // compression first (what a sender offers it holds; the pixels arrive unchanged and the
    // transfer is smaller), then uncompressed, then lossy ones, which are taken only when a
    // sender offers nothing else, so we never ask anyone to compress lossily.
    static const std::vector<std::string> list = {
        UID_JPEGLSLosslessTransferSyntax,
        UID_JPEGProcess14SV1TransferSyntax,
        UID_JPEGProcess14TransferSyntax,
        UID_RLELosslessTransferSyntax,
        UID_JPEG2000LosslessOnlyTransferSyntax,
        UID_DeflatedExplicitVRLittleEndianTransferSyntax,
        UID_LittleEndianExplicitTransferSyntax,
        UID_LittleEndianImplicitTransferSyntax,
        UID_BigEndianExplicitTransferSyntax,
        UID_JPEGProcess1TransferSyntax,
        UID_JPEGProcess2_4TransferSyntax,
        UID_JPEGLSLossyTransferSyntax,
        UID_JPEG2000TransferSyntax,
    };
    return list;
}

class StorageReceiver::Scp : public DcmSCP {
public:
    explicit Scp(StorageReceiver& owner) : owner_(owner) {
        detail::prepareDcmtkNetwork();
        const ReceiverSettings& s = owner.settings_;
        setAETitle(s.aeTitle.c_str());
        setPort(static_cast<Uint16>(s.port));
        setRespondWithCalledAETitle(OFFalse);
        // Non-blocking accept with a one-second timeout, so stop() is noticed while idle.
        setConnectionBlockingMode(DUL_NOBLOCK);
        setConnectionTimeout(1);
        setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        setDIMSETimeout(static_cast<Uint32>(s.responseSeconds));
        setACSETimeout(static_cast<Uint32>(s.responseSeconds));
        setHostLookupEnabled(OFFalse);
        setMaxReceivePDULength(ASC_MAXIMUMPDUSIZE);
        OFList<OFString> syntaxes;
        for (const std::string& ts : storageTransferSyntaxes())
            syntaxes.push_back(ts.c_str());
        OFList<OFString> verification;
        verification.push_back(UID_LittleEndianImplicitTransferSyntax);
        verification.push_back(UID_LittleEndianExplicitTransferSyntax);
        addPresentationContext(UID_VerificationSOPClass, verification);
        for (int i = 0; i < numberOfDcmAllStorageSOPClassUIDs; ++i)
            addPresentationContext(dcmAllStorageSOPClassUIDs[i], syntaxes);
    }

protected:
    OFBool checkCalledAETitleAccepted(const OFString& calledAE) override {
        return owner_.settings_.anyCalledAet || calledAE == getAETitle();
    }

    OFCondition handleIncomingCommand(T_DIMSE_Message* message,
                                      const DcmPresentationContextInfo& info) override {
        if (message->CommandField != DIMSE_C_STORE_RQ)
            return DcmSCP::handleIncomingCommand(message, info); // C-ECHO, or refused
        T_DIMSE_C_StoreRQ& request = message->msg.CStoreRQ;
        const std::string temporary = owner_.store_.temporaryPath(request.AffectedSOPInstanceUID);
        OFCondition cond =
            receiveSTORERequest(request, info.presentationContextID, OFString(temporary.c_str()));
        Uint16 status = STATUS_Success;
        if (cond.good()) {
            try {
                const StoredObject object = owner_.store_.commit(temporary);
                ++owner_.received_;
                if (owner_.onStored_)
                    owner_.onStored_(object);
            } catch (const std::exception& e) { // never out of the receiver's thread
                status = STATUS_STORE_Error_CannotUnderstand;
                ++owner_.failed_;
                if (owner_.onProblem_)
                    owner_.onProblem_(e.what());
            }
        } else {
            std::remove(temporary.c_str());
            ++owner_.failed_;
            if (owner_.onProblem_)
                owner_.onProblem_(std::string("an object from ") + getPeerAETitle().c_str() +
                                  " was not received completely (" + cond.text() + ")");
            return cond; // the association is broken: no response can be sent
        }
        return sendSTOREResponse(info.presentationContextID, request, status);
    }

    OFBool stopAfterConnectionTimeout() override { return owner_.stopping_.load(); }
    OFBool stopAfterCurrentAssociation() override { return owner_.stopping_.load(); }

private:
    StorageReceiver& owner_;
};

StorageReceiver::StorageReceiver(ReceiverSettings settings, const StoreFolder& store,
                                 StoredHandler onStored, ProblemHandler onProblem)
    : settings_(std::move(settings)), store_(store), onStored_(std::move(onStored)),
      onProblem_(std::move(onProblem)) {}

StorageReceiver::~StorageReceiver() {
    stop();
}

void StorageReceiver::start() {
    if (scp_)
        return;
    if (settings_.port < 1 || settings_.port > 65535)
        throw Error("the port must be a number from 1 to 65535",
                    "port " + std::to_string(settings_.port));
    scp_ = std::make_unique<Scp>(*this);
    // DcmSCP::openListenPort() switches DCMTK's automatic input data correction off for the
    // whole process ("to see the real data"), and never back. With it off, every later read
    // keeps a UID's trailing NUL padding and DCMTK's SR reader then refuses our own reports
    // ("SOPClassUID violates VR definition"). The receiver writes what arrives to file as
    // received, so it needs no such setting: the process's default is put back.
    const OFBool correction = dcmEnableAutomaticInputDataCorrection.get();
    const OFCondition open = scp_->openListenPort();
    dcmEnableAutomaticInputDataCorrection.set(correction);
    if (open.bad()) {
        scp_.reset();
        throw Error(std::string("cannot listen for DICOM connections (") + open.text() +
                        "; is another program using this port?)",
                    "port " + std::to_string(settings_.port));
    }
    stopping_ = false;
    thread_ = std::thread([this] { scp_->acceptAssociations(); });
}

void StorageReceiver::stop() {
    stopping_ = true;
    if (thread_.joinable())
        thread_.join();
    scp_.reset();
}

} // namespace spinelens::net
