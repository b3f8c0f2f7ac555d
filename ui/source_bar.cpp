// SourceBar widgets.
#include "source_bar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStyle>

namespace stylize::ui {

using stylize::studio::SourceKind;
using stylize::studio::SourceSpec;

SourceBar::SourceBar(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(new QLabel(tr("Source:"), this));
    sources_ = new QComboBox(this);
    sources_->setMinimumWidth(260);
    sources_->setAccessibleName(tr("Source"));
    layout->addWidget(sources_);
    auto* open = new QPushButton(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("Open file…"), this);
    open->setToolTip(tr("Stylize a video or an image file (you can also drop one on the window)"));
    layout->addWidget(open);
    layout->addStretch(1);

    record_ = new QPushButton(tr("● Record"), this);
    record_->setCheckable(true);
    record_->setToolTip(tr("Record the stylized view to a file (Space)"));
    recordInfo_ = new QLabel(this);
    recordInfo_->setMinimumWidth(150);
    auto* snapshot = new QPushButton(tr("Snapshot"), this);
    snapshot->setToolTip(tr("Save the current stylized frame as PNG (S)"));
    auto* exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setToolTip(tr("Stylize a whole video file, with its sound"));
    layout->addWidget(recordInfo_);
    layout->addWidget(record_);
    layout->addWidget(snapshot);
    layout->addWidget(exportButton);

    connect(open, &QPushButton::clicked, this, &SourceBar::openFileRequested);
    connect(record_, &QPushButton::clicked, this, &SourceBar::recordToggled);
    connect(snapshot, &QPushButton::clicked, this, &SourceBar::snapshotRequested);
    connect(exportButton, &QPushButton::clicked, this, &SourceBar::exportRequested);
    connect(sources_, &QComboBox::activated, this, [this](int index) {
        if (index >= 0 && index < specs_.size())
            emit sourceChosen(specs_[index]);
    });
}

SourceSpec SourceBar::currentSource() const
{
    const int i = sources_->currentIndex();
    return i >= 0 && i < specs_.size() ? specs_[i] : SourceSpec{};
}

int SourceBar::indexOf(const SourceSpec& source) const
{
    for (int i = 0; i < specs_.size(); ++i)
        if (specs_[i] == source)
            return i;
    return -1;
}

void SourceBar::setSources(const QList<SourceSpec>& sources)
{
    const SourceSpec current = currentSource();
    QSignalBlocker block(sources_);
    specs_ = sources;
    sources_->clear();
    for (const SourceSpec& s : specs_) {
        QString prefix;
        switch (s.kind) {
        case SourceKind::Camera: prefix = tr("Camera: "); break;
        case SourceKind::File: prefix = tr("File: "); break;
        default: break;
        }
        sources_->addItem(prefix + s.label);
    }
    const int i = indexOf(current);
    sources_->setCurrentIndex(i >= 0 ? i : 0);
}

void SourceBar::showSource(const SourceSpec& source)
{
    if (indexOf(source) < 0) {
        QList<SourceSpec> list = specs_;
        list.append(source);
        setSources(list);
    }
    QSignalBlocker block(sources_);
    sources_->setCurrentIndex(indexOf(source));
}

void SourceBar::showRecording(const stylize::studio::RecordingStatus& status)
{
    record_->setChecked(status.active);
    record_->setText(status.active ? tr("■ Stop") : tr("● Record"));
    if (!status.active) {
        recordInfo_->clear();
        return;
    }
    const qint64 s = status.elapsedMs / 1000;
    QString text = QStringLiteral("%1:%2 · %3")
                       .arg(s / 60, 2, 10, QChar('0'))
                       .arg(s % 60, 2, 10, QChar('0'))
                       .arg(QLocale().formattedDataSize(status.bytes));
    if (status.dropped > 0)
        text += tr(" · %n dropped", nullptr, int(status.dropped));
    recordInfo_->setText(text);
}

}  // namespace stylize::ui
